"""One grading slot: a judge process that grades the students ``course grade`` hands it.

``course grade --jobs N`` starts N of these (``python -m course_tools.grader.cohort.slot``).
Each reads one configuration line (:class:`~course_tools.grader.protocol.slots.SlotConfig`),
then one request per line on stdin (a student, or the calibration run on the solution) and
answers each with one line on its original stdout (:mod:`course_tools.grader.protocol.slots`).
Everything the tests print goes to stderr instead. A slot imports torch and the oracles once
and keeps them for every student it grades; its sandbox uid is its own.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from course_tools.grader.cohort.feedback import write_feedback
from course_tools.grader.cohort.intake import Intake, intake
from course_tools.grader.judge.judge import Judge
from course_tools.grader.protocol.records import CellKind, NotebookResult, Row, StepKind, one_line
from course_tools.grader.protocol.slots import (
    Answer,
    Calibrate,
    Calibrated,
    Configure,
    Configured,
    Failed,
    Graded,
    GradeStudent,
    SlotConfig,
    answer_line,
    read_request,
)

TROUBLE_CHARS = 100  # of a student cell's timeout or crash, in the notes of the status


def _rows(
    student: str, config: SlotConfig, name: str, found: Intake, result: NotebookResult | None
) -> list[Row]:
    """One row per test cell of notebook ``name``: the judge's verdict, or why there is none."""
    note = f" [{'; '.join(found.notes)}]" if found.notes else ""
    by_id = {r.grade_id: r for r in result.tests()} if result is not None else {}
    rows = []
    for cell in config.notebooks[name]:
        if cell.kind != CellKind.TEST:
            continue
        record = by_id.get(cell.grade_id)
        if found.problem:
            score, status = 0.0, found.problem
        elif record is None:
            score, status = 0.0, "not graded: the test cell was not reached" + note
        else:
            score, status = record.score, record.status + note
        rows.append(Row.of(student, config.assignment, name, cell, score, status))
    return rows


def cell_trouble(result: NotebookResult) -> list[str]:
    """Notes for the student cells that timed out or crashed the sandbox (the report lists them).

    >>> from course_tools.grader.protocol.records import CellRecord, StepKind
    >>> cell_trouble(NotebookResult([CellRecord(StepKind.STUDENT, "f", "", error="timeout: ran 60 s")] * 2))
    ['2 student cells: timeout: ran 60 s']
    """
    counts: dict[str, int] = {}
    for rec in result.cells:
        if rec.kind == StepKind.STUDENT and rec.error.startswith(("timeout:", "crashed:")):
            key = one_line(rec.error.splitlines()[0], TROUBLE_CHARS)
            counts[key] = counts.get(key, 0) + 1
    return [f"{n} student cell{'s' if n > 1 else ''}: {error}" for error, n in counts.items()]


def grade_student(
    judge: Judge, config: SlotConfig, student: str, folder: Path, out: Path | None
) -> list[Row]:
    """Rows for every test cell of every notebook of one student; writes their feedback."""
    names = sorted(config.notebooks)
    rows: list[Row] = []
    problems: dict[str, str] = {}
    for name in names:
        found = intake(folder, name, names, config.notebooks[name])
        if found.problem:
            problems[name] = found.problem
            rows += _rows(student, config, name, found, None)
            continue
        result = judge.run(found.program, fallback=frozenset(config.calibration.fallback.get(name, [])))
        found.notes += cell_trouble(result)
        nb_rows = _rows(student, config, name, found, result)
        rows += nb_rows
        if out is not None:
            write_feedback(
                out / "feedback" / student / f"{name}.html",
                title=f"{config.assignment} / {name}",
                student=student,
                records=result.cells,
                rows=nb_rows,
                notes=found.notes,
            )
    if out is not None and len(problems) == len(names):
        target = out / "feedback" / student
        target.mkdir(parents=True, exist_ok=True)
        (target / "README.txt").write_text(
            "No notebook could be graded:\n" + "".join(f"{n}: {p}\n" for n, p in problems.items()),
            encoding="utf-8",
        )
    return rows


def calibrate(judge: Judge, config: SlotConfig, folder: Path) -> Calibrated:
    """Judge the instructor's own solution: every test cell must pass; which ones did not."""
    failures: dict[str, dict[str, str]] = {}
    for name, source in config.notebooks.items():
        found = intake(folder, name, sorted(config.notebooks), source)
        if found.problem:
            raise SystemExit(f"course grade: the solution notebook {name}: {found.problem}")
        result = judge.run(found.program)
        failures[name] = {r.grade_id: r.status for r in result.tests() if r.status != "passed"}
    return Calibrated(failures, judge.blocked)


def answer(judge: Judge, config: SlotConfig, line: str) -> Answer:
    """The answer to one request line."""
    request = read_request(line)
    if isinstance(request, Configure):
        config.calibration = request.calibration
        judge.blocked[:] = [list(b) for b in request.calibration.blocked]
        return Configured()
    if isinstance(request, Calibrate):
        return calibrate(judge, config, Path(request.folder))
    assert isinstance(request, GradeStudent)
    started = time.monotonic()
    out = Path(config.out) if config.out else None
    try:
        rows = grade_student(judge, config, request.student, Path(request.folder), out)
    except Exception as exc:  # a grader bug for one student must not stop the cohort
        return Failed(one_line(f"grader error: {type(exc).__name__}: {exc}"))
    return Graded(rows, time.monotonic() - started)


def main() -> int:
    reply_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    config = SlotConfig.from_json(json.loads(sys.stdin.readline()))
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass
    judge = Judge(
        config.limits,
        sandboxed=config.sandboxed,
        slot=config.slot,
        cell_timeout=config.cell_timeout,
        notebook_timeout=config.notebook_timeout,
        blocked=config.calibration.blocked,
    )
    with os.fdopen(reply_fd, "w", encoding="utf-8") as replies:
        for line in sys.stdin:
            replies.write(answer_line(answer(judge, config, line)))
            replies.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
