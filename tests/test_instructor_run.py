"""The instructor's loop end to end on a small cohort: collect a Canvas download, grade (with the
progress display), grade again (the earlier run kept), regrade one student, shard and merge,
export, and read the report. The fixture assignment ``h1`` is the hostile suite's.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
from test_grader_hostile import POINTS
from test_instructor import BLANK, FINAL, MARCH_1, MARCH_2, MARCH_9, _course, _notebook, _zip

from course_tools.grader.judge.sandbox import unavailable_reason

pytestmark = pytest.mark.slow
WRONG_DOUBLE = _notebook({"double": "def double(x):\n    return x\n"})
FULL = sum(POINTS.values())


def _course_cmd(course: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "course_tools", "--root", str(course), *args],
        capture_output=True,
        text=True,
        timeout=900,
    )


def _grade(course: Path, subs: Path, out: Path, *extra: str) -> str:
    flags = [] if unavailable_reason() is None else ["--unsafe-no-sandbox"]
    result = _course_cmd(
        course,
        "grade",
        "h1",
        "--submissions",
        str(subs),
        "--out",
        str(out),
        "--cell-timeout",
        "20",
        *flags,
        *extra,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stderr


def _rows(path: Path) -> dict[str, list[dict[str, str]]]:
    found: dict[str, list[dict[str, str]]] = {}
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            found.setdefault(row["student_id"], []).append(row)
    return found


def test_the_instructors_loop(tmp_path):
    course, subs, out = _course(tmp_path), tmp_path / "subs", tmp_path / "out"
    download = _zip(
        tmp_path / "canvas.zip",
        [
            ("smithjane_12_34_h1.ipynb", BLANK, MARCH_1),  # an old blank notebook...
            ("smithjane_12_35_h1 (1).ipynb", FINAL, MARCH_2),  # ...and the final one
            ("doejohn_late_13_36_h1.ipynb", WRONG_DOUBLE, MARCH_9),
            ("roeann_14_37_report.pdf", b"%PDF-1.4", MARCH_1),
        ],
    )
    collected = _course_cmd(course, "collect", str(download), "--assignment", "h1", "--out", str(subs))
    assert collected.returncode == 0 and "1 students handed in no notebook: 14" in collected.stderr
    solution = course / "solutions" / "h1"
    (subs / "linked_file").mkdir()
    (subs / "linked_file" / "h1.ipynb").symlink_to(solution / "h1.ipynb")  # a clone, an exchange folder...
    (subs / "linked_folder").symlink_to(solution, target_is_directory=True)

    stderr = _grade(course, subs, out, "--jobs", "2")
    assert "grading: 100%" in stderr and "5/5" in stderr  # the progress display, on stderr
    rows = _rows(out / "grades.csv")
    assert sorted(rows) == ["12", "13", "14", "linked_file", "linked_folder"]
    scores = {s: sum(float(r["score"]) for r in mine) for s, mine in rows.items()}
    assert scores == {
        "12": FULL,
        "13": FULL - POINTS["test_double"],
        "14": 0,
        "linked_file": 0,
        "linked_folder": 0,
    }
    assert (
        rows["12"][0]["status"]
        == "passed [graded 'h1 (1).ipynb' (the newest of 2 candidates; ignored h1.ipynb)]"
    )
    assert (
        rows["14"][0]["status"] == "missing: no h1.ipynb in the submission; handed in report.pdf, no notebook"
    )
    for student in ("linked_file", "linked_folder"):
        assert all(r["status"].startswith("link: ") for r in rows[student])
    totals = _rows(out / "totals.csv")
    assert totals["13"][0]["late"] == "yes" and totals["12"][0]["late"] == "no"
    assert totals["12"][0]["percent"] == "100.0" and totals["linked_folder"][0]["late"] == ""
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "Students who need a look (3)" in report and "linked_folder" in report
    first = (out / "grades.csv").read_text(encoding="utf-8")

    stderr = _grade(course, subs, out, "--quiet", "--no-calibrate")  # the same OUT again
    assert "grading:" not in stderr and "held an earlier run; it is kept in" in stderr
    earlier = list((out / "earlier").glob("*/grades.csv"))
    assert [p.read_text(encoding="utf-8") for p in earlier] == [first]
    assert (out / "grades.csv").read_text(encoding="utf-8") == first

    fixed = _zip(tmp_path / "later.zip", [("doejohn_13_39_h1.ipynb", FINAL, (2026, 3, 10, 8, 0, 0))])
    assert (
        _course_cmd(course, "collect", str(fixed), "--assignment", "h1", "--out", str(subs)).returncode == 0
    )
    page = out / "feedback" / "12" / "h1.html"
    before = page.read_bytes()
    _grade(course, subs, out, "--student", "13", "--quiet")
    regraded = _rows(out / "grades.csv")
    assert sum(float(r["score"]) for r in regraded["13"]) == FULL
    assert {s: r for s, r in regraded.items() if s != "13"} == {s: r for s, r in rows.items() if s != "13"}
    assert page.read_bytes() == before  # nothing else was touched
    kept = list((out / "earlier").glob("*-regrade/grades.csv"))
    assert len(kept) == 1 and set(_rows(kept[0])) == {"13"}

    for k in (1, 2):
        _grade(course, subs, tmp_path / f"k{k}", "--shard", f"{k}/2", "--quiet", "--no-calibrate")
    lonely = _course_cmd(course, "merge", str(tmp_path / "k1"), "--out", str(tmp_path / "m0"))
    assert lonely.returncode != 0 and "missing shard 2/2 of 2" in lonely.stderr
    merged = _course_cmd(
        course, "merge", str(tmp_path / "k1"), str(tmp_path / "k2"), "--out", str(tmp_path / "m")
    )
    assert merged.returncode == 0, merged.stderr[-2000:]
    assert (tmp_path / "m" / "grades.csv").read_text() == (out / "grades.csv").read_text()
    assert (tmp_path / "m" / "totals.csv").read_text() == (out / "totals.csv").read_text()
    assert (tmp_path / "m" / "report.html").is_file()

    exported = _course_cmd(course, "export", str(out), "--format", "canvas", "--column", "H1 (77)")
    assert exported.returncode == 0 and "left out: linked_file, linked_folder" in exported.stderr
    table = list(csv.reader(io.StringIO((out / "export_canvas.csv").read_text(encoding="utf-8"))))
    assert table[0][-1] == "H1 (77)" and [r[1] for r in table[2:]] == ["12", "13", "14"]
    assert [r[-1] for r in table[2:]] == [f"{FULL:g}", f"{FULL:g}", "0"]
