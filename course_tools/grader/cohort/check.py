"""``course check NOTEBOOK``: a student's self-check, graded exactly as ``course grade`` would.

The notebook is put in a temporary submissions folder as the only student and graded by
:func:`~course_tools.grader.cohort.grade.grade` itself: the instructor's source notebook in
``solutions/`` (a clone of the repository has it), the same calibration, sandbox, hidden tests
and messages. What is printed is each test cell's score and its whole message, the hidden
checks put in words (never their code or values). No gradebook and no instructor are needed.

The assignment is found from the file's name (``rnn_from_scratch.ipynb``, or an LMS rename such
as ``rnn_from_scratch (1).ipynb``) or given with ``--assignment``.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from course_tools.grader.judge.sandbox import unavailable_reason
from course_tools.grader.protocol.limits import CELL_TIMEOUT, NOTEBOOK_TIMEOUT

STUDENT = "you"
INDENT = " " * 6


def find_assignment(root: Path, notebook: Path, assignment: str | None = None) -> tuple[str, str]:
    """``(assignment, notebook name)`` of the source notebook a student's file answers.

    The longest source notebook name the file's name contains wins (``attention`` against
    ``my_attention_v2``).
    """
    stem = notebook.stem.lower()
    found = [
        (p.parent.name, p.stem)
        for p in sorted((root / "solutions").glob("*/*.ipynb"))
        if (assignment is None or p.parent.name == assignment) and p.stem.lower() in stem
    ]
    if not found:
        known = ", ".join(sorted(p.stem for p in (root / "solutions").glob("*/*.ipynb")))
        raise SystemExit(
            f"course check: {notebook.name} answers no notebook of {root / 'solutions'} "
            f"(known: {known}); name it after one, or pass --assignment"
        )
    return max(found, key=lambda pair: len(pair[1]))


def _report(results: list[dict], out: TextIO) -> tuple[float, float]:
    width = max(len(r["grade_id"]) for r in results)
    for r in results:
        lines = str(r["message"]).splitlines() or [""]
        score = f"{r['score']:g} / {r['max_score']:g}"
        out.write(f"  {r['grade_id']:<{width}}  {score:>9}  {lines[0]}\n")
        for line in lines[1:]:
            out.write(f"  {'':<{width}}  {'':>9}  {INDENT}{line}\n")
    return sum(r["score"] for r in results), sum(r["max_score"] for r in results)


def check(
    root: Path,
    notebook: Path,
    *,
    assignment: str | None = None,
    sandbox: bool = True,
    cell_timeout: float = CELL_TIMEOUT,
    notebook_timeout: float = NOTEBOOK_TIMEOUT,
    out: TextIO = sys.stdout,
) -> int:
    """Grade ``notebook`` and print its report; 0 when every check passed, else 1."""
    from course_tools.grader.cohort.grade import grade

    if not notebook.is_file():
        raise SystemExit(f"course check: no file {notebook}")
    name_of = find_assignment(root, notebook, assignment)
    assignment, name = name_of
    reason = unavailable_reason() if sandbox else "you asked for --unsafe-no-sandbox"
    if reason:
        out.write(
            f"course check: the sandbox cannot run here ({reason}): your notebook runs WITHOUT "
            "isolation, with your rights (fine for your own code). Scores and messages are the same.\n"
        )
    with tempfile.TemporaryDirectory(prefix="course-check-") as tmp:
        folder = Path(tmp) / "submissions" / STUDENT
        folder.mkdir(parents=True)
        shutil.copyfile(notebook, folder / f"{name}.ipynb")
        rows = grade(
            root,
            assignment,
            folder.parent,
            Path(tmp) / "out",
            cell_timeout=cell_timeout,
            notebook_timeout=notebook_timeout,
            sandbox=not reason,
        )
        results_file = Path(tmp) / "out" / "feedback" / STUDENT / f"{name}.json"
        if results_file.is_file():
            results = json.loads(results_file.read_text(encoding="utf-8"))
        else:  # nothing could be graded (unreadable notebook): the rows say why
            results = [
                {"grade_id": r.grade_id, "score": r.score, "max_score": r.max_score, "message": r.status}
                for r in rows
            ]
    out.write(f"course check: {notebook.name} as {assignment}/{name}.ipynb\n")
    total, possible = _report(results, out)
    out.write(f"score: {total:g} / {possible:g}\n")
    return 0 if total == possible else 1
