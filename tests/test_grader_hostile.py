"""The hostile suite: many malicious or broken submissions graded in ONE sandboxed `course grade` run.

A small fixture assignment ``h1`` (three exercises: ``double``, ``square``, ``total``; test cells
``test_double`` 1 point, ``test_square`` 2, ``test_total`` 1) is built in a temporary course.
Each ``tests/hostile/*.case`` file is one student (see its docstring); the notebook corruptions
of issue point 3 are students built here. Every student gets an exact score and status per
test cell, and afterwards nothing outside the sandbox may have changed: the submissions, the
source, a sentinel file, the repository's ``course_lib``, no stray process, no extra file in
the output, no hidden test text in any feedback page.
"""

from __future__ import annotations

import ast
import copy
import csv
import hashlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from course_tools.grader.judge.sandbox import unavailable_reason

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "hostile"
BLOCK = re.compile(r"^# %% (\w+)\s*$", re.MULTILINE)
MARKER = "987654321"  # `sleep MARKER` started by a student must not outlive the run
POINTS = {"test_double": 1.0, "test_square": 2.0, "test_total": 1.0}
CANARY = "HIDDEN-CANARY-7731"
CELL_TIMEOUT = 6
pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("grader_hostile"),
    pytest.mark.skipif(unavailable_reason() is not None, reason=f"no sandbox here: {unavailable_reason()}"),
]

ANSWERS = {
    "double": "def double(x):\n    ### BEGIN SOLUTION\n    return np.asarray(x) * 2\n    ### END SOLUTION\n",
    "square": "def square(x):\n    ### BEGIN SOLUTION\n    return np.asarray(x) ** 2\n    ### END SOLUTION\n",
    "total": "def total(x):\n    ### BEGIN SOLUTION\n    return float(np.sum(x))\n    ### END SOLUTION\n",
}
TESTS = {
    "test_double": f"""import numpy as np
from course_lib.grading import assert_close

assert_close(double(np.arange(3.0)), [0.0, 2.0, 4.0], name="double of 0, 1, 2")
### BEGIN HIDDEN TESTS
# {CANARY}
_x = np.random.default_rng(1).normal(size=(3, 4))
assert_close(double(_x), _x * 2, name="double of a random (3, 4) array")
assert np.allclose(double(_x), _x * 2) and isinstance(np.asarray(double(1.5)), np.ndarray)
### END HIDDEN TESTS
""",
    "test_square": f"""import numpy as np
from course_lib.grading import assert_close

assert_close(square(np.array([3.0])), [9.0], name="square of 3")
### BEGIN HIDDEN TESTS
# {CANARY}
_x = np.linspace(-2, 2, 7)
assert_close(square(_x), _x ** 2, name="square of a ramp")
### END HIDDEN TESTS
""",
    "test_total": f"""import numpy as np

assert float(total(np.arange(10.0))) == 45.0, "total of 0..9 should be 45"
### BEGIN HIDDEN TESTS
# {CANARY}
assert float(total(np.ones((4, 5)))) == 20.0, "total of a (4, 5) array of ones"
### END HIDDEN TESTS
""",
}
SETUP = "import numpy as np\n\nfrom course_lib.grading import assert_close\n"


def _meta(grade_id: str, *, grade: bool, solution: bool, points: float | None = None) -> dict:
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": not solution,
        "schema_version": 3,
        "solution": solution,
    }
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def source_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}
    cells = [
        nbformat.v4.new_markdown_cell("# h1: a fixture assignment for the hostile suite"),
        nbformat.v4.new_code_cell(SETUP, metadata=_meta("setup", grade=False, solution=False)),
    ]
    for name in ("double", "square", "total"):
        cells.append(
            nbformat.v4.new_code_cell(ANSWERS[name], metadata=_meta(name, grade=False, solution=True))
        )
        gid = f"test_{name}"
        cells.append(
            nbformat.v4.new_code_cell(
                TESTS[gid], metadata=_meta(gid, grade=True, solution=False, points=POINTS[gid])
            )
        )
    for i, cell in enumerate(cells):
        cell.id = f"c{i}"
    nb.cells = cells
    return nb


def student_notebook(answers: dict[str, str] | None = None) -> nbformat.NotebookNode:
    """The 'released' notebook (no solutions, no hidden tests) with answer cells filled."""
    nb = copy.deepcopy(source_notebook())
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        gid = meta.get("grade_id")
        if meta.get("solution"):
            solved = re.sub(r"^\s*### (BEGIN|END) SOLUTION\s*\n", "", cell.source, flags=re.MULTILINE)
            cell.source = (answers or {}).get(gid, solved)
        elif meta.get("grade"):
            cell.source = cell.source.split("### BEGIN HIDDEN TESTS")[0]
    return nb


def load_case(path: Path, places: dict[str, str]) -> tuple[dict, dict, dict[str, str]]:
    text = path.read_text(encoding="utf-8")
    for key, value in places.items():
        text = text.replace(key, value)
    parts = BLOCK.split(text)
    tree = ast.parse(parts[0])
    settings = {"EXPECT": {}, "STATUS": {}}
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") in settings:
            settings[node.targets[0].id] = ast.literal_eval(node.value)
    answers = {parts[i]: parts[i + 1].strip("\n") + "\n" for i in range(1, len(parts), 2)}
    return settings["EXPECT"], settings["STATUS"], answers


def _write(nb: nbformat.NotebookNode, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def corruption_students(subs: Path) -> dict[str, tuple[dict, dict]]:
    """Notebooks as they really arrive; returns {student: (EXPECT, STATUS)}."""
    expect: dict[str, tuple[dict, dict]] = {}
    zero = {g: 0 for g in POINTS}

    (subs / "empty_file").mkdir()
    (subs / "empty_file" / "h1.ipynb").write_bytes(b"")
    expect["empty_file"] = (zero, {g: "unreadable: the file is empty" for g in POINTS})

    (subs / "invalid_json").mkdir()
    (subs / "invalid_json" / "h1.ipynb").write_text('{"cells": [', encoding="utf-8")
    expect["invalid_json"] = (zero, {g: "unreadable: not valid notebook JSON" for g in POINTS})

    (subs / "not_a_notebook").mkdir()
    (subs / "not_a_notebook" / "h1.ipynb").write_text("[1, 2, 3]", encoding="utf-8")
    expect["not_a_notebook"] = (zero, {g: "unreadable" for g in POINTS})

    (subs / "nbformat3").mkdir()
    nbformat.write(nbformat.convert(student_notebook(), 3), subs / "nbformat3" / "h1.ipynb", version=3)
    expect["nbformat3"] = ({}, {g: "passed" for g in POINTS})

    _write(student_notebook(), subs / "renamed_by_lms" / "h1 (1).ipynb")
    expect["renamed_by_lms"] = ({}, {g: "passed [graded 'h1 (1).ipynb'" for g in POINTS})

    _write(student_notebook(), subs / "renamed_prefix" / "Student Name_123_h1.ipynb")
    expect["renamed_prefix"] = ({}, {g: "passed" for g in POINTS})

    _write(
        student_notebook({"double": "def double(x):\n    return x\n"}), subs / "two_copies" / "h1 (1).ipynb"
    )
    _write(student_notebook(), subs / "two_copies" / "h1 (2).ipynb")
    old = time.time() - 3600
    os.utime(subs / "two_copies" / "h1 (1).ipynb", (old, old))
    expect["two_copies"] = ({}, {g: "passed [graded 'h1 (2).ipynb' (the newest of 2" for g in POINTS})

    (subs / "missing").mkdir()
    (subs / "missing" / "notes.txt").write_text("I forgot the notebook", encoding="utf-8")
    expect["missing"] = (zero, {g: "missing: no h1.ipynb" for g in POINTS})

    _write(student_notebook(), subs / "extra_notebooks" / "h1.ipynb")
    extra = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import os\nos._exit(1)\n")])
    _write(extra, subs / "extra_notebooks" / "scratch.ipynb")
    expect["extra_notebooks"] = ({}, {g: "passed" for g in POINTS})

    nb = student_notebook()
    nb.cells = [
        c
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade_id") not in {"setup", "test_double", "test_square"}
    ]
    nb.cells.insert(0, nbformat.v4.new_code_cell("import numpy as np\n"))
    _write(nb, subs / "deleted_cells" / "h1.ipynb")
    expect["deleted_cells"] = (
        {},
        {
            "test_double": "passed [test cells restored from the source: test_double, "
            "test_square; locked cells restored: setup"
        },
    )

    nb = student_notebook({"double": "def double(x):\n    return np.asarray(x) * 4\n"})
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id") == "test_double":
            cell.source, meta["points"] = "pass\n", 100
        if meta.get("grade_id") == "test_square":
            meta["grade_id"], cell.source = "test_square_mine", "assert True\n"
    _write(nb, subs / "edited_tests" / "h1.ipynb")
    expect["edited_tests"] = (
        {"test_double": 0},
        {"test_double": "failed: AssertionError: double of 0, 1, 2", "test_square": "passed"},
    )

    nb = student_notebook({"double": "def double(x):\n    return x\n"})
    first = next(
        i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "double"
    )
    correct = copy.deepcopy(nb.cells[first])
    correct.source = "def double(x):\n    return np.asarray(x) * 2\n"
    nb.cells.insert(first + 1, correct)
    nb.cells.insert(first + 3, copy.deepcopy(nb.cells[first + 2]))  # test_double twice
    for i, cell in enumerate(nb.cells):
        cell.id = f"d{i}"
    _write(nb, subs / "duplicated_cells" / "h1.ipynb")
    expect["duplicated_cells"] = ({}, {"test_double": "passed [duplicated cells double, test_double"})

    nb = student_notebook()
    for cell in nb.cells:
        cell.metadata = {}
    _write(nb, subs / "retyped_cells" / "h1.ipynb")
    expect["retyped_cells"] = ({}, {g: "passed" for g in POINTS})

    nb = student_notebook()
    nb.metadata["kernelspec"] = {"name": "ir", "display_name": "R", "language": "R"}
    big_png = "iVBORw0KGgo" + "A" * (20 * 2**20)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.execution_count = 99
            cell.outputs = [nbformat.v4.new_output("stream", text="stale output: 0/4 points\n")]
    nb.cells[2].outputs.append(nbformat.v4.new_output("display_data", data={"image/png": big_png}))
    _write(nb, subs / "stale_outputs_other_kernel" / "h1.ipynb")
    expect["stale_outputs_other_kernel"] = ({}, {g: "passed [kernel 'ir' ignored" for g in POINTS})
    return expect


def _tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if "__pycache__" in path.parts:
            continue
        digest.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    course, subs, out = tmp / "course", tmp / "submissions", tmp / "out"
    (course / "solutions" / "h1").mkdir(parents=True)
    (course / "nbgrader_config.py").write_text("c = get_config()  # noqa: F821\n", encoding="utf-8")
    nbformat.write(source_notebook(), course / "solutions" / "h1" / "h1.ipynb")
    sentinel = tmp / "sentinel.txt"
    sentinel.write_text("the instructor's file\n", encoding="utf-8")
    places = {
        "__SOLUTIONS__": str(course / "solutions"),
        "__SUBMISSIONS__": str(subs),
        "__OUT__": str(out),
        "__SENTINEL__": str(sentinel),
        "__REPO__": str(ROOT),
        "__MARKER__": MARKER,
    }
    expected: dict[str, tuple[dict, dict]] = {}
    for path in sorted(CASES.glob("*.case")):
        expect, status, answers = load_case(path, places)
        _write(student_notebook(answers), subs / path.stem / "h1.ipynb")
        expected[path.stem] = (expect, status)
    _write(student_notebook(), subs / "victim" / "h1.ipynb")  # the student tamper_disk attacks
    expected["victim"] = ({}, {g: "passed" for g in POINTS})
    expected.update(corruption_students(subs))
    before = {"subs": _tree_digest(subs), "course": _tree_digest(course)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "course_tools",
            "--root",
            str(course),
            "grade",
            "h1",
            "--submissions",
            str(subs),
            "--out",
            str(out),
            "--jobs",
            "2",
            "--cell-timeout",
            str(CELL_TIMEOUT),
            "--notebook-timeout",
            "60",
            "--memory-mb",
            "768",
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    with (out / "grades.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    after = {"subs": _tree_digest(subs), "course": _tree_digest(course)}
    return {
        "rows": rows,
        "expected": expected,
        "out": out,
        "before": before,
        "after": after,
        "sentinel": sentinel,
        "stderr": result.stderr,
    }


def _case_ids() -> list[str]:
    return [p.stem for p in sorted(CASES.glob("*.case"))] + [
        "victim",
        "empty_file",
        "invalid_json",
        "not_a_notebook",
        "nbformat3",
        "renamed_by_lms",
        "renamed_prefix",
        "two_copies",
        "missing",
        "extra_notebooks",
        "deleted_cells",
        "edited_tests",
        "duplicated_cells",
        "retyped_cells",
        "stale_outputs_other_kernel",
    ]


@pytest.mark.parametrize("student", _case_ids())
def test_exact_score_and_status(hostile_run, student):
    expect, status = hostile_run["expected"][student]
    rows = {r["grade_id"]: r for r in hostile_run["rows"] if r["student_id"] == student}
    assert sorted(rows) == sorted(POINTS), f"{student}: rows {sorted(rows)}"
    for gid, points in POINTS.items():
        row = rows[gid]
        assert float(row["max_score"]) == points, f"{student}/{gid}: max_score from the source"
        want = expect.get(gid, 1.0) * points
        assert float(row["score"]) == want, (
            f"{student}/{gid}: score {row['score']}, expected {want} ({row['status']})"
        )
        prefixes = status.get(gid, "passed" if want == points else "")
        prefixes = (prefixes,) if isinstance(prefixes, str) else prefixes
        assert row["status"].startswith(prefixes), (
            f"{student}/{gid}: status {row['status']!r}, wanted {prefixes}"
        )


def test_one_row_per_student_and_cell(hostile_run):
    keys = [(r["student_id"], r["grade_id"]) for r in hostile_run["rows"]]
    assert len(keys) == len(set(keys)) == len(_case_ids()) * len(POINTS)
    assert [r["student_id"] for r in hostile_run["rows"]] == sorted(
        r["student_id"] for r in hostile_run["rows"]
    )


def test_nothing_outside_the_sandbox_changed(hostile_run):
    for key in ("subs", "course"):
        assert hostile_run["before"][key] == hostile_run["after"][key], f"{key} changed"
    assert hostile_run["sentinel"].read_text(encoding="utf-8") == "the instructor's file\n"
    assert not Path("/usr/pwned").exists()
    for package in ("course_lib", "course_tools"):  # read-only in the sandbox: not written, not deleted
        assert not (ROOT / package / "pwned.py").exists()
        assert (ROOT / package / "__init__.py").is_file()
    out = hostile_run["out"]
    results = {"grades.csv", "totals.csv", "run.json", "report.html"}  # what course grade writes
    extra = [
        p
        for p in out.rglob("*")
        if p.is_file() and not (p.parent == out and p.name in results) and p.parent.parent.name != "feedback"
    ]
    assert extra == [], f"unexpected files in the output: {extra}"


def test_no_process_outlives_the_run(hostile_run):
    survivors = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if MARKER in cmdline and "pytest" not in cmdline:
                survivors.append(cmdline)
    assert survivors == []


def test_feedback_never_leaks_and_stays_small(hostile_run):
    pages = list((hostile_run["out"] / "feedback").rglob("*.html"))
    assert len(pages) >= len(_case_ids()) - 4  # the four unreadable/missing students get a README
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert CANARY not in text and "BEGIN HIDDEN TESTS" not in text and "_x * 2" not in text, page
        assert len(text) < 400_000, f"{page}: {len(text):,} characters"
    page = (hostile_run["out"] / "feedback" / "huge_output" / "h1.html").read_text(encoding="utf-8")
    assert "output truncated: 100,000,001 characters in all" in page
    assert "not shown" in page  # what double() printed during the checks
    page = (hostile_run["out"] / "feedback" / "edited_tests" / "h1.html").read_text(encoding="utf-8")
    assert "double of 0, 1, 2" in page  # a visible check's message is shown in full
