"""The instructor's loop, part by part (issue 16): intake that loses nothing, runs that never
overwrite, merges that add up, totals, LMS exports, the cohort report and similarity.

Fast: nothing here runs student code (``tests/test_instructor_run.py`` grades a cohort end to end).
"""

from __future__ import annotations

import csv
import json
import os
import time
import zipfile
from datetime import datetime
from pathlib import Path

import nbformat
import pytest
from test_grader_hostile import POINTS, source_notebook, student_notebook

from course_tools.cli import build_parser
from course_tools.grader.cohort import grade as grade_module
from course_tools.grader.cohort.collect import collect
from course_tools.grader.cohort.intake import find_notebook
from course_tools.grader.cohort.merge import merge
from course_tools.grader.protocol.records import COLUMNS, CellRecord, Row, StepKind

ROOT = Path(__file__).resolve().parent.parent
MARCH_1, MARCH_2, MARCH_9 = (2026, 3, 1, 10, 0, 0), (2026, 3, 2, 9, 30, 0), (2026, 3, 9, 23, 59, 0)


def _course(tmp_path: Path) -> Path:
    course = tmp_path / "course"
    (course / "solutions" / "h1").mkdir(parents=True)
    (course / "nbgrader_config.py").write_text("c = get_config()  # noqa: F821\n", encoding="utf-8")
    nbformat.write(source_notebook(), course / "solutions" / "h1" / "h1.ipynb")
    return course


def _notebook(answers: dict[str, str] | None = None) -> str:
    return nbformat.writes(student_notebook(answers))


BLANK = _notebook({"double": "def double(x):\n    raise NotImplementedError()\n"})
FINAL = _notebook()


def _zip(
    path: Path, members: list[tuple[str, str | bytes, tuple[int, ...]]], links: dict[str, str] | None = None
) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, data, when in members:
            z.writestr(zipfile.ZipInfo(name, date_time=when), data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name, date_time=MARCH_1)
            info.external_attr = 0o120777 << 16  # a symbolic link, as `zip --symlinks` stores it
            z.writestr(info, target)
    return path


# -- several notebooks: the newest by the submission's own times wins -------------------------------
def test_newest_notebook_by_the_archive_times_wins_and_the_others_are_named(tmp_path):
    course = _course(tmp_path)
    download = _zip(
        tmp_path / "canvas.zip",
        [
            ("smithjane_12_34_h1.ipynb", BLANK, MARCH_1),  # the old blank notebook
            ("smithjane_12_35_h1 (1).ipynb", FINAL, MARCH_2),  # the final one
            ("doejohn_13_36_h1 (1).ipynb", BLANK, MARCH_1),  # here the plain name is the newer one
            ("doejohn_13_37_h1.ipynb", FINAL, MARCH_2),
        ],
    )
    collect(course, download, "h1", tmp_path / "subs")
    for student in ("12", "13"):  # what the download said, even when the files' times are lost
        for p in (tmp_path / "subs" / student).iterdir():
            os.utime(p, (time.time(), time.time()))
    path, note = find_notebook(tmp_path / "subs" / "12", "h1", ["h1"])
    assert path is not None and path.name == "h1 (1).ipynb"
    assert note == "graded 'h1 (1).ipynb' (the newest of 2 candidates; ignored h1.ipynb)"
    path, note = find_notebook(tmp_path / "subs" / "13", "h1", ["h1"])
    assert path is not None and path.name == "h1.ipynb" and "ignored h1 (1).ipynb" in note


def test_without_a_manifest_file_times_decide(tmp_path):
    (tmp_path / "h1.ipynb").write_text(BLANK)
    (tmp_path / "h1 (1).ipynb").write_text(FINAL)
    old = time.time() - 3600
    os.utime(tmp_path / "h1.ipynb", (old, old))
    assert find_notebook(tmp_path, "h1", ["h1"])[0] == tmp_path / "h1 (1).ipynb"
    os.utime(tmp_path / "h1 (1).ipynb", (old - 60, old - 60))
    assert find_notebook(tmp_path, "h1", ["h1"])[0] == tmp_path / "h1.ipynb"


# -- collect: idempotent, newer replaces older (kept), late flag, log accumulates ---------------------
def _log(subs: Path) -> list[dict[str, str]]:
    with (subs / "collect_log.csv").open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_collect_twice_changes_nothing_and_a_newer_submission_replaces_the_older(tmp_path):
    course, subs = _course(tmp_path), tmp_path / "subs"
    first = _zip(
        tmp_path / "first.zip",
        [("smithjane_12_34_h1.ipynb", BLANK, MARCH_1), ("doejohn_13_36_h1.ipynb", FINAL, MARCH_1)],
    )
    collect(course, first, "h1", subs)
    again = collect(course, first, "h1", subs)
    assert again.actions == {"12": "unchanged", "13": "unchanged"}
    assert sorted(p.name for p in (subs / "12").iterdir()) == ["h1.ipynb"]  # no h1-2.ipynb
    assert len(_log(subs)) == 4  # two runs of two members: the log accumulates
    later = _zip(
        tmp_path / "later.zip",
        [("smithjane_late_12_40_h1.ipynb", FINAL, MARCH_9), ("doejohn_13_36_h1.ipynb", FINAL, MARCH_1)],
    )
    result = collect(course, later, "h1", subs)
    assert result.actions["12"].startswith("replaced") and result.actions["13"] == "unchanged"
    assert (subs / "12" / "h1.ipynb").read_text() == FINAL
    history = list((subs / ".collect" / "history" / "12").rglob("h1.ipynb"))
    assert [p.read_text() for p in history] == [BLANK]  # the earlier submission is kept
    manifest = json.loads((subs / ".collect" / "students" / "12.json").read_text())
    assert manifest["files"][0]["late"] is True and manifest["files"][0]["submitted"] == "2026-03-09T23:59:00"
    older = collect(course, first, "h1", subs)  # the first download again, after the later one
    assert older.actions["12"].startswith("older than the collected submission")
    assert (subs / "12" / "h1.ipynb").read_text() == FINAL
    assert len(_log(subs)) == 8
    assert grade_module.students_in(subs) == ["12", "13"]  # .collect is no student


def test_students_without_a_notebook_get_a_folder_and_a_status(tmp_path):
    course, subs = _course(tmp_path), tmp_path / "subs"
    download = _zip(
        tmp_path / "moodle.zip",
        [
            ("Ann Lee_55_assignsubmission_onlinetext_/onlinetext.html", "<p>see attachment</p>", MARCH_1),
            ("Bo Chan_56_assignsubmission_file_/report.pdf", b"%PDF-1.4", MARCH_1),
            ("Bo Chan_56_assignsubmission_file_/h1.py", "def double(x): ...", MARCH_1),
            ("Cy Dee_57_assignsubmission_file_/h1.ipynb", FINAL, MARCH_1),
        ],
    )
    result = collect(course, download, "h1", subs)
    assert sorted(result.students) == ["55", "56", "57"]
    assert any("2 students handed in no notebook: 55, 56" in w for w in result.warnings)
    assert find_notebook(subs / "55", "h1", ["h1"]) == (
        None,
        "missing: no h1.ipynb in the submission; handed in onlinetext.html, no notebook",
    )
    assert find_notebook(subs / "56", "h1", ["h1"])[1].endswith("handed in h1.py, report.pdf, no notebook")


def test_collect_warns_when_the_notebooks_belong_to_another_assignment(tmp_path):
    course = _course(tmp_path)
    download = _zip(
        tmp_path / "a4.zip",
        [("s1/attention.ipynb", FINAL, MARCH_1), ("s2/attention (1).ipynb", FINAL, MARCH_1)],
    )
    warnings = collect(course, download, "h1", tmp_path / "subs").warnings
    assert any("no notebook in this download is named like h1's (h1.ipynb)" in w for w in warnings), warnings
    ok = _zip(tmp_path / "h1.zip", [("s1/h1.ipynb", FINAL, MARCH_1)])
    assert collect(course, ok, "h1", tmp_path / "subs2").warnings == []


def test_collect_refuses_links_and_paths_leaving_the_download(tmp_path):
    course, subs = _course(tmp_path), tmp_path / "subs"
    secret = tmp_path / "outside.txt"
    download = _zip(
        tmp_path / "evil.zip",
        [
            ("s1/h1.ipynb", FINAL, MARCH_1),
            ("../../escape/h1.ipynb", FINAL, MARCH_1),
            ("/abs/h1.ipynb", FINAL, MARCH_1),
        ],
        links={"s2/h1.ipynb": str(course / "solutions" / "h1" / "h1.ipynb"), "s3/x.ipynb": str(secret)},
    )
    result = collect(course, download, "h1", subs)
    assert sorted(result.students) == ["s1"]
    assert not (tmp_path / "escape").exists() and not (subs / "s2").exists() and not secret.exists()
    actions = {row["member"]: row["action"] for row in _log(subs)}
    assert actions["s2/h1.ipynb"] == "skipped: a link, not a file"
    assert (
        actions["../../escape/h1.ipynb"]
        == actions["/abs/h1.ipynb"]
        == "skipped: the path leaves the download"
    )
    folder = tmp_path / "download"  # a downloaded folder with a link in it: skipped too
    (folder / "s4").mkdir(parents=True)
    (folder / "s4" / "h1.ipynb").symlink_to(course / "solutions" / "h1" / "h1.ipynb")
    (folder / "s5").mkdir()
    (folder / "s5" / "h1.ipynb").write_text(FINAL)
    assert sorted(collect(course, folder, "h1", tmp_path / "subs2").students) == ["s5"]


# -- links are not submissions ------------------------------------------------------------------
def test_a_linked_notebook_or_student_folder_is_no_submission(tmp_path):
    course = _course(tmp_path)
    solution = course / "solutions" / "h1"
    (tmp_path / "subs" / "linked_file").mkdir(parents=True)
    (tmp_path / "subs" / "linked_file" / "h1.ipynb").symlink_to(solution / "h1.ipynb")
    (tmp_path / "subs" / "linked_folder").symlink_to(solution, target_is_directory=True)
    (tmp_path / "subs" / "linked_inner").mkdir()
    (tmp_path / "subs" / "linked_inner" / "work").symlink_to(solution, target_is_directory=True)
    for student in ("linked_file", "linked_folder", "linked_inner"):
        path, status = find_notebook(tmp_path / "subs" / student, "h1", ["h1"])
        assert path is None and status.startswith("link: "), (student, status)
        assert "links are not submissions" in status
    (tmp_path / "subs" / "linked_file" / "h1 (1).ipynb").write_text(FINAL)  # a real file beside a link
    path, note = find_notebook(tmp_path / "subs" / "linked_file", "h1", ["h1"])
    assert path == tmp_path / "subs" / "linked_file" / "h1 (1).ipynb" and "ignored the link h1.ipynb" in note


# -- grade --out rules and earlier runs ---------------------------------------------------------------
def test_grade_refuses_an_out_inside_the_submissions(tmp_path):
    course = _course(tmp_path)
    (tmp_path / "subs" / "s1").mkdir(parents=True)
    for out in (tmp_path / "subs", tmp_path / "subs" / "graded"):
        with pytest.raises(SystemExit, match="inside --submissions"):
            grade_module.grade(course, "h1", tmp_path / "subs", out, sandbox=False)
    assert not (tmp_path / "subs" / "graded").exists()


def test_an_earlier_run_is_kept_beside_not_replaced(tmp_path):
    from course_tools.grader.cohort.run import keep_earlier

    out = tmp_path / "out"
    (out / "feedback" / "s1").mkdir(parents=True)
    (out / "grades.csv").write_text("old grades\n")
    (out / "notes.txt").write_text("the instructor's own file\n")
    kept = keep_earlier(out)
    assert kept is not None and kept.parent == out / "earlier"
    assert (kept / "grades.csv").read_text() == "old grades\n" and (kept / "feedback" / "s1").is_dir()
    assert not (out / "grades.csv").exists() and (out / "notes.txt").exists()
    assert keep_earlier(out) is None  # nothing left to keep


# -- merge: shards must add up ---------------------------------------------------------------------
def _shard(
    folder: Path, k: int, m: int, students: list[str], *, cohort: list[str], assignment: str = "h1"
) -> Path:
    from course_tools.grader.cohort.run import RunInfo, write_run

    folder.mkdir(parents=True)
    with (folder / "grades.csv").open("w", newline="") as f:
        csv.writer(f).writerows(
            [COLUMNS] + [[s, assignment, "h1", "test_a", "1", "1", "passed"] for s in students]
        )
    write_run(folder, RunInfo(assignment, {"h1": "abc"}, [k, m], cohort, students, "", "t0", "t1"))
    return folder


def test_merge_refuses_shard_sets_that_do_not_add_up(tmp_path):
    cohort = ["a", "b", "c", "d"]
    s1 = _shard(tmp_path / "s1", 1, 3, ["a", "d"], cohort=cohort)
    s2 = _shard(tmp_path / "s2", 2, 3, ["b"], cohort=cohort)
    s3 = _shard(tmp_path / "s3", 3, 3, ["c"], cohort=cohort)
    with pytest.raises(SystemExit, match="missing shard 3/3 of 3"):
        merge([s1, s2], tmp_path / "m1")
    with pytest.raises(SystemExit, match="shard 2/3 is given twice"):
        merge([s1, s2, s2, s3], tmp_path / "m2")
    other = _shard(tmp_path / "o3", 3, 3, ["c"], cohort=cohort, assignment="h2")
    with pytest.raises(SystemExit, match="graded h1 and .* graded h2"):
        merge([s1, s2, other], tmp_path / "m3")
    late = _shard(tmp_path / "l3", 3, 3, ["c", "e"], cohort=[*cohort, "e"])
    with pytest.raises(SystemExit, match="different cohorts .*differing: e"):
        merge([s1, s2, late], tmp_path / "m4")
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "grades.csv").write_text((s3 / "grades.csv").read_text())
    with pytest.raises(SystemExit, match="no run.json"):
        merge([s1, s2, bare], tmp_path / "m5")
    assert not any((tmp_path / f"m{i}").exists() for i in range(1, 6))
    assert merge([s3, s1, s2], tmp_path / "all") == 4
    assert json.loads((tmp_path / "all" / "run.json").read_text())["students"] == cohort


# -- totals, export ------------------------------------------------------------------------------
def _graded_run(tmp_path: Path) -> tuple[Path, Path]:
    """A finished run's OUT over a collected Canvas + Moodle + folder cohort (no grading needed)."""
    from course_tools.grader.cohort.run import RunInfo, write_run, write_totals

    course, subs, out = _course(tmp_path), tmp_path / "subs", tmp_path / "out"
    download = _zip(
        tmp_path / "mixed.zip",
        [
            ("smithjane_late_12_34_h1.ipynb", FINAL, MARCH_9),
            ("Ann Lee_4711_assignsubmission_file_/h1.ipynb", FINAL, MARCH_1),
            ("s9/h1.ipynb", FINAL, MARCH_1),
        ],
    )
    collect(course, download, "h1", subs)
    rows = [
        Row(s, "h1", "h1", gid, points * (s != "s9"), points, "passed" if s != "s9" else "failed: x")
        for s in ("12", "4711", "s9")
        for gid, points in POINTS.items()
    ]
    out.mkdir()
    grade_module.write_csv(rows, out / "grades.csv")
    write_totals(rows, subs, out / "totals.csv")
    write_run(
        out,
        RunInfo("h1", {"h1": "abc"}, None, ["12", "4711", "s9"], ["12", "4711", "s9"], str(subs), "t0", "t1"),
    )
    return course, out


def test_totals_have_one_row_per_student_with_the_late_flag(tmp_path):
    _, out = _graded_run(tmp_path)
    with (out / "totals.csv").open(newline="") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f)}
    assert list(next(csv.reader((out / "totals.csv").open()))) == [
        "student_id",
        "assignment",
        "score",
        "max_score",
        "percent",
        "late",
        "submitted",
        "status",
    ]
    assert rows["12"]["score"] == "4" and rows["12"]["percent"] == "100.0" and rows["12"]["late"] == "yes"
    assert rows["4711"]["late"] == "" and rows["s9"]["score"] == "0"
    assert rows["s9"]["status"] == "passed 0 of 3 checks; failed test_double, test_square, test_total"


def _read(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def test_export_writes_the_files_canvas_and_moodle_import(tmp_path):
    from course_tools.grader.cohort.export import export

    _, out = _graded_run(tmp_path)
    path, left_out = export(out, "canvas", column="A1 RNN (5501)")
    table = _read(path)
    # Canvas's gradebook CSV: its five identity columns, then the assignment; a Points Possible row
    assert table[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "A1 RNN (5501)"]
    assert table[1] == ["Points Possible", "", "", "", "", "4"]
    assert table[2:] == [["smithjane", "12", "", "", "", "4"]] and left_out == ["4711", "s9"]
    path, left_out = export(out, "moodle")
    table = _read(path)
    # Moodle's grading worksheet: Identifier, Grade and Last modified (grade) are what its importer needs
    assert table[0] == ["Identifier", "Full name", "Grade", "Maximum Grade", "Last modified (grade)"]
    assert table[1][:4] == ["Participant 4711", "Ann Lee", "4", "4"] and len(table) == 2
    datetime.strptime(table[1][4], "%Y-%m-%d %H:%M:%S")
    assert left_out == ["12", "s9"]
    path, left_out = export(out, "csv", to=tmp_path / "all.csv")
    assert [r[0] for r in _read(path)] == ["student_id", "12", "4711", "s9"] and left_out == []


# -- report and similarity -------------------------------------------------------------------------
def test_report_is_offline_and_names_failures_and_students_to_look_at(tmp_path):
    from course_tools.grader.cohort.report import needs_a_look, render

    course, out = _graded_run(tmp_path)
    rows = [
        Row(
            "a",
            "h1",
            "h1",
            "test_double",
            0,
            1,
            "failed: hidden check: double: wrong values [common mistake: off-by-two]",
        ),
        Row(
            "b",
            "h1",
            "h1",
            "test_double",
            0,
            1,
            "failed: hidden check: other words [common mistake: off-by-two]",
        ),
        Row(
            "c",
            "h1",
            "h1",
            "test_double",
            0,
            1,
            "missing: no h1.ipynb in the submission; handed in report.pdf, no notebook",
        ),
        Row(
            "d",
            "h1",
            "h1",
            "test_double",
            0,
            1,
            "failed: NameError: double [1 student cell: timeout: this cell ran longer than 60 s]",
        ),
        Row(
            "e",
            "h1",
            "h1",
            "test_double",
            0,
            1,
            "crashed: your code ended the sandboxed Python process (it was killed by signal SIGKILL)",
        ),
        Row(
            "f",
            "h1",
            "h1",
            "test_double",
            0,
            1,
            "link: h1.ipynb is a symbolic link, not a file; links are not submissions",
        ),
        Row("g", "h1", "h1", "test_double", 1, 1, "passed"),
    ]
    grade_module.write_csv(rows, out / "grades.csv")
    page = render(course, out)
    assert "<script" not in page and "http://" not in page and "https://" not in page
    assert page.count("data:image/png;base64,") == 2
    assert "misconception off-by-two</td><td>2</td><td>a, b</td>" in page
    assert [s for s, _ in needs_a_look(rows)] == ["c", "d", "e", "f"]


SHARED = '''def total(x):
    """Sum of all entries, as a float."""
    accumulated = 0.0
    for row in np.atleast_2d(np.asarray(x, dtype=float)):
        for value in row:
            if np.isfinite(value):
                accumulated = accumulated + value
            else:
                raise ValueError("total: every entry must be finite, got " + repr(value))
    return float(accumulated)
'''
RENAMED = (
    SHARED.replace("accumulated", "s").replace("value", "v").replace("row", "r").replace("Sum of", "Adds")
)
OWN = """def total(x):
    return float(np.sum(np.asarray(x, dtype=np.float64)))
"""


def test_similarity_flags_near_identical_answers_and_references():
    from course_tools.grader.cohort.similarity import reference_matches, similar_pairs

    answers = {
        "alice": {"total": SHARED},
        "bob": {"total": RENAMED},  # alice's answer with every name and the docstring changed
        "carol": {"total": SHARED.replace("float(accumulated)", "accumulated").replace("for r", "for row")},
        "dave": {"total": OWN + "\n# " + "a long comment " * 20},
        "erin": {
            "total": "def total(x):\n    out = 0.0\n    for chunk in np.array_split(np.ravel(x), 3):\n"
            "        out += float(chunk.sum()) if chunk.size else 0.0\n    return out\n"
        },
    }
    pairs = {(p.first, p.second) for p in similar_pairs(answers, {})}
    assert ("alice", "bob") in pairs and ("alice", "carol") in pairs
    assert not any("dave" in p or "erin" in p for p in pairs)  # short or different: never flagged
    matches = reference_matches(answers, {"course_lib's reference m.total": SHARED}, {})
    assert {m.student for m in matches} == {"alice", "bob", "carol"}


def test_similarity_finds_the_course_references(tmp_path):
    from course_tools.grader.cohort.similarity import references_of

    refs = references_of(
        ROOT, "a1_rnn", ["rnn_step_forward"], [["course_lib.numpy_nn.rnn", "rnn_step_forward"]]
    )
    assert "course_lib's reference course_lib.numpy_nn.rnn.rnn_step_forward" in refs
    assert any(label.startswith("the instructor's solution") for label in refs)
    assert all("### BEGIN SOLUTION" not in code for code in refs.values())


# -- feedback page, progress, help -------------------------------------------------------------------
def test_feedback_drops_the_colab_cell_and_generator_echoes():
    from course_tools.build.source import COLAB_CELL_ID
    from course_tools.grader.cohort.feedback import COLAB_CELL_ID as SKIPPED
    from course_tools.grader.cohort.feedback import render

    assert SKIPPED == COLAB_CELL_ID
    records = [
        CellRecord(
            StepKind.STUDENT, COLAB_CELL_ID, "import subprocess\nif 'google.colab' in sys.modules: ..."
        ),
        CellRecord(
            StepKind.STUDENT,
            "",
            "torch.manual_seed(0)",
            output="<torch._C.Generator object at 0x7f00deadbeef>\n",
        ),
        CellRecord(StepKind.STUDENT, "", "print('hi')", output="hi\n"),
    ]
    page = render("t", "s", records, [], [])
    assert "google.colab" not in page and "torch._C.Generator" not in page and "hi\n" in page


def test_progress_goes_to_stderr_and_quiet_means_nothing(capsys):
    import io

    from course_tools.grader.cohort.run import Progress

    stream = io.StringIO()
    bar = Progress(2, enabled=True, file=stream)
    bar.done("s1", [Row("s1", "h1", "h1", "test_a", 1, 2, "passed")])
    bar.close()
    assert "1/2" in stream.getvalue() and "s1: 1/2" in stream.getvalue()
    quiet = Progress(2, enabled=False)
    quiet.done("s1", [])
    quiet.close()
    assert capsys.readouterr() == ("", "")


def test_collect_help_describes_the_lms_naming_rules(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["collect", "--help"])
    text = capsys.readouterr().out
    for word in (
        "Canvas",
        "lastfirst[_late]_<user id>",
        "Blackboard",
        "_attempt_",
        "Moodle",
        "assignsubmission_file_",
    ):
        assert word in text
