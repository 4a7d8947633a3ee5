"""``course grade``: autograde a folder of submissions and write ``grades.csv`` and feedback.

Layout in: ``SUBMISSIONS/<student_id>/<notebook>.ipynb``. Layout out::

    OUT/grades.csv                      one row per (student, notebook, graded test cell)
    OUT/feedback/<student_id>/<notebook>.html

How: the assignment is generated once in a temporary course folder (its gradebook then
knows every test cell and its points). Each student is then graded in a folder of their own,
with a copy of that gradebook, by ``nbgrader autograde`` in a subprocess with a time limit.
A student whose notebook is missing, unreadable, crashes the kernel or runs too long gets
zeros with a ``status`` that says why; the others are unaffected. Nothing is written to the
repository.
"""
from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import astuple, dataclass, fields
from pathlib import Path

import nbformat

from course_lib.cli.feedback import write_feedback
from course_lib.cli.nbgrader_run import run_nbgrader
from course_lib.cli.release import generate

STATUS_CHARS = 300  # a status is one readable line in a spreadsheet


@dataclass(frozen=True)
class Row:
    """One line of ``grades.csv``."""

    student_id: str
    assignment: str
    notebook: str
    grade_id: str
    score: float
    max_score: float
    status: str


COLUMNS = [f.name for f in fields(Row)]


@dataclass(frozen=True)
class TestCell:
    notebook: str
    grade_id: str
    max_score: float


def _one_line(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= STATUS_CHARS else text[: STATUS_CHARS - 1] + "…"


def test_cells(source: Path) -> list[TestCell]:
    """Every graded cell of the assignment's source notebooks, in notebook and cell order."""
    cells = []
    for path in sorted(source.glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("grade"):
                cells.append(TestCell(path.stem, meta["grade_id"], float(meta.get("points", 0))))
    if not cells:
        raise SystemExit(f"course grade: {source} has no graded cells")
    return cells


def find_notebook(folder: Path, name: str, expected: list[str]) -> tuple[Path | None, str]:
    """The student's file for notebook ``name`` and a note on how it was found."""
    exact = folder / f"{name}.ipynb"
    if exact.is_file():
        return exact, ""
    present = sorted(p for p in folder.glob("*.ipynb") if p.is_file())
    if len(expected) == 1 and len(present) == 1:
        return present[0], f" (submitted as {present[0].name!r})"
    return None, f"missing: no {name}.ipynb in the submission" + (
        f" (found {', '.join(p.name for p in present)})" if present else ""
    )


def _read_notebook(path: Path) -> tuple[nbformat.NotebookNode | None, str]:
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        if not nb.cells:
            return None, "unreadable: the notebook has no cells"
        return nb, ""
    except Exception as exc:  # any parse/validation problem means "cannot grade this file"
        return None, _one_line(f"unreadable: {path.name} is not a valid notebook ({type(exc).__name__}: {exc})")


def _cell_status(nb: nbformat.NotebookNode | None, grade_id: str, score: float, max_score: float) -> str:
    """Why a test cell got its score, read from the autograded notebook's outputs."""
    if nb is None:
        return "not graded: no autograded notebook"
    for cell in nb.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") != grade_id:
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                if output.get("ename") == "CellTimeoutError":
                    return "failed: timeout (the cell ran longer than the per-cell limit)"
                first = (output.get("evalue") or "").strip().splitlines()
                return _one_line(f"failed: {output.get('ename')}: {first[0] if first else ''}")
        return "passed" if score >= max_score else "partial"
    return "failed: the test cell was not found after grading"


def grade_student(work: Path, base: Path, assignment: str, student: str, folder: Path,
                  cells: list[TestCell], out: Path, *, cell_timeout: int, notebook_timeout: int) -> list[Row]:
    """Grade one student in a private copy of the prepared course folder ``base``."""
    from nbgrader.api import Gradebook, MissingEntry

    root = work / "students" / student
    shutil.copytree(base, root, ignore=shutil.ignore_patterns("exercises"))
    submitted = root / "submitted" / student / assignment
    submitted.mkdir(parents=True)
    notebooks = sorted({c.notebook for c in cells})
    notes: dict[str, str] = {}
    for name in notebooks:
        path, note = find_notebook(folder, name, notebooks)
        if path is None:
            notes[name] = note
            continue
        nb, problem = _read_notebook(path)
        if nb is None:
            notes[name] = problem
            continue
        nbformat.write(nb, submitted / f"{name}.ipynb")
        notes[name] = note

    crashed = ""
    if any(submitted.iterdir()):
        try:
            result = run_nbgrader(["autograde", assignment, "--student", student, "--force", "--create",
                                   f"--Execute.timeout={cell_timeout}"], root, timeout=notebook_timeout)
            if result.returncode != 0:
                crashed = _one_line("autograde failed: " + (result.stderr.strip().splitlines() or ["?"])[-1])
        except subprocess.TimeoutExpired:
            crashed = f"timeout: grading took longer than {notebook_timeout} s"

    rows = []
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for name in notebooks:
            graded_path = root / "autograded" / student / assignment / f"{name}.ipynb"
            graded = nbformat.read(graded_path, as_version=4) if graded_path.is_file() else None
            note = notes.get(name, "")
            nb_cells = [c for c in cells if c.notebook == name]
            if graded is None or note.startswith(("missing", "unreadable")):
                reason = note if note.startswith(("missing", "unreadable")) else (crashed or "not graded")
                rows += [Row(student, assignment, name, c.grade_id, 0.0, c.max_score, reason) for c in nb_cells]
                continue
            for c in nb_cells:
                try:
                    grade = gb.find_grade(c.grade_id, name, assignment, student)
                    score = float(grade.score or 0.0)
                except MissingEntry:
                    score = 0.0
                status = crashed or _cell_status(graded, c.grade_id, score, c.max_score)
                rows.append(Row(student, assignment, name, c.grade_id, score, c.max_score, status + note))
            write_feedback(graded, out / "feedback" / student / f"{name}.html",
                           title=f"{assignment} / {name} — {student}",
                           rows=[r for r in rows if r.notebook == name])
    if not (out / "feedback" / student).exists():
        (out / "feedback" / student).mkdir(parents=True, exist_ok=True)
        (out / "feedback" / student / "README.txt").write_text(
            "No notebook could be graded:\n" + "\n".join(f"{n}: {notes.get(n) or crashed}" for n in notebooks) + "\n",
            encoding="utf-8")
    return rows


def students_in(submissions: Path) -> list[str]:
    if not submissions.is_dir():
        raise SystemExit(f"course grade: --submissions {submissions} is not a folder")
    students = sorted(p.name for p in submissions.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not students:
        raise SystemExit(f"course grade: {submissions} holds no student folders (expected DIR/<student_id>/)")
    return students


def grade(root: Path, assignment: str, submissions: Path, out: Path, *, jobs: int = 1, cell_timeout: int = 60,
          notebook_timeout: int = 600, keep_work: bool = False) -> list[Row]:
    """Grade every student folder in ``submissions``; write ``out/grades.csv`` and feedback."""
    students = students_in(submissions)
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"course-grade-{assignment}-"))
    try:
        base = work / "base"
        base.mkdir()
        generate(root, assignment, base)
        cells = test_cells(root / "solutions" / assignment)

        def one(student: str) -> list[Row]:
            try:
                return grade_student(work, base, assignment, student, submissions / student, cells, out,
                                     cell_timeout=cell_timeout, notebook_timeout=notebook_timeout)
            except Exception as exc:  # a grader bug for one student must not stop the cohort
                status = _one_line(f"grader error: {type(exc).__name__}: {exc}")
                return [Row(student, assignment, c.notebook, c.grade_id, 0.0, c.max_score, status) for c in cells]

        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            rows = [row for student_rows in pool.map(one, students) for row in student_rows]
        tmp = out / "grades.csv.tmp"
        with tmp.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(COLUMNS)
            writer.writerows(astuple(r) for r in rows)
        tmp.replace(out / "grades.csv")
        return rows
    finally:
        if keep_work:
            print(f"grading folder kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
