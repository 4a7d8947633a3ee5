"""Build graded submissions from small case files and grade them in one `course grade` run.

A case file ``tests/submissions/<assignment>/<case>.py`` looks like::

    '''What this submission does (a docstring, shown when the test fails).'''
    EXPECT = {"rnn_step_forward": 0}     # score fraction per exercise; unlisted ones: 1.0
    DELETE = ["test_rnn_forward"]        # optional: cells (by grade_id) the student deleted
    STATUS = {"rnn_forward": "fix rnn_step_forward first"}  # optional: text a status must contain
    KNOWN_GAP = "why course grade misses this verdict today"  # optional: a strict xfail

    # %% rnn_step_forward
    def rnn_step_forward(x, h_prev, Wx, Wh, b):
        ...

Each ``# %% <grade_id>`` block replaces that answer cell; every other answer cell gets the
instructor's solution, so a case isolates what it changes. Two more students are always
added: ``solution`` (the source notebook, expects full marks) and ``release`` (the released
notebook, unanswered, expects zero everywhere).

``KNOWN_GAP`` records a verdict the grader cannot reach yet (a limitation of ``course grade``,
not of the test cells, which reach it in a kernel): the case is a strict xfail, so it fails the
day the grader is fixed and the marker must go.
"""
from __future__ import annotations

import ast
import csv
import re
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "submissions"
SOLUTION_MARKERS = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$\n?", re.MULTILINE)
CELL_TIMEOUT = 30  # seconds; the slowest honest test cell takes a few, a timeout case costs this much
BLOCK = re.compile(r"^# %% (\w+)\s*$", re.MULTILINE)


@dataclass
class Case:
    name: str
    doc: str
    expect: dict[str, float]
    answers: dict[str, str]
    delete: list[str]
    status: dict[str, str]
    known_gap: str = ""


def load_case(path: Path) -> Case:
    text = path.read_text(encoding="utf-8")
    parts = BLOCK.split(text)
    header, blocks = parts[0], parts[1:]
    tree = ast.parse(header)
    doc = ast.get_docstring(tree) or path.stem
    settings = {"EXPECT": {}, "DELETE": [], "STATUS": {}, "KNOWN_GAP": ""}
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") in settings:
            settings[node.targets[0].id] = ast.literal_eval(node.value)
    answers = {blocks[i]: blocks[i + 1].strip("\n") + "\n" for i in range(0, len(blocks), 2)}
    return Case(path.stem, doc, settings["EXPECT"], answers, settings["DELETE"], settings["STATUS"],
                settings["KNOWN_GAP"])


def cases(assignment: str) -> list[Case]:
    return [load_case(p) for p in sorted((CASES / assignment).glob("*.py"))]


def notebook_of(assignment: str) -> str:
    (path,) = sorted((ROOT / "solutions" / assignment).glob("*.ipynb"))
    return path.name


def answer_ids(nb: nbformat.NotebookNode) -> list[str]:
    return [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
            if c.get("metadata", {}).get("nbgrader", {}).get("solution")]


def build_submission(assignment: str, case: Case) -> nbformat.NotebookNode:
    """The released notebook with every answer cell filled: by the case, else by the solution."""
    name = notebook_of(assignment)
    released = nbformat.read(ROOT / "exercises" / assignment / name, as_version=4)
    solution = nbformat.read(ROOT / "solutions" / assignment / name, as_version=4)
    solved = {c.metadata["nbgrader"]["grade_id"]: SOLUTION_MARKERS.sub("", c.source) for c in solution.cells
              if c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    unknown = set(case.answers) - set(solved)
    if unknown:
        raise ValueError(f"case {case.name}: no answer cell with grade_id {sorted(unknown)}")
    for cell in released.cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            cell.source = case.answers.get(gid, solved[gid])
    kept = [c for c in released.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") not in case.delete]
    if len(released.cells) - len(kept) != len(case.delete):
        raise ValueError(f"case {case.name}: DELETE names cells that are not in the notebook: {case.delete}")
    released.cells = kept
    return released


def exercise_of(grade_id: str, exercises: list[str]) -> str | None:
    """The exercise a test cell belongs to: the longest F with grade_id starting 'test_F'."""
    owners = [f for f in exercises if grade_id.startswith(f"test_{f}")]
    return max(owners, key=len) if owners else None


def grade_all(assignment: str, workdir: Path, jobs: int = 2) -> dict[str, dict[str, tuple[float, float, list[str]]]]:
    """Grade solution, release and every case; return {student: {exercise: (score, max, statuses)}}."""
    name = notebook_of(assignment)
    subs = workdir / "submissions"
    (subs / "solution").mkdir(parents=True)
    (subs / "release").mkdir()
    nbformat.write(nbformat.read(ROOT / "solutions" / assignment / name, as_version=4), subs / "solution" / name)
    nbformat.write(nbformat.read(ROOT / "exercises" / assignment / name, as_version=4), subs / "release" / name)
    for case in cases(assignment):
        (subs / case.name).mkdir()
        nbformat.write(build_submission(assignment, case), subs / case.name / name)
    out = workdir / "out"
    result = subprocess.run([sys.executable, "-m", "course_tools", "--root", str(ROOT), "grade", assignment,
                             "--submissions", str(subs), "--out", str(out), "--jobs", str(jobs),
                             "--cell-timeout", str(CELL_TIMEOUT)],
                            capture_output=True, text=True)
    assert result.returncode == 0, f"course grade failed:\n{result.stderr[-4000:]}"
    exercises = answer_ids(nbformat.read(ROOT / "solutions" / assignment / name, as_version=4))
    table: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0, []]))
    with (out / "grades.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            ex = exercise_of(row["grade_id"], exercises) or row["grade_id"]
            entry = table[row["student_id"]][ex]
            entry[0] += float(row["score"])
            entry[1] += float(row["max_score"])
            entry[2].append(f"{row['grade_id']}: {row['status']}")
    return {s: {e: (v[0], v[1], v[2]) for e, v in d.items()} for s, d in table.items()}
