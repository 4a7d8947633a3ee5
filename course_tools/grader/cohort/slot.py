"""One grading slot: a judge process that grades the students ``course grade`` hands it.

``course grade --jobs N`` starts N of these (``python -m course_tools.grader.cohort.slot``). Each reads
one JSON configuration line, then one JSON request per line on stdin (a student, or the
calibration run on the solution) and answers each with one JSON line on its original stdout.
Everything the tests print goes to stderr instead. A slot imports torch and the oracles once
and keeps them for every student it grades; its sandbox uid is its own.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from course_tools.grader.cohort.feedback import write_feedback
from course_tools.grader.cohort.intake import SourceCell, intake
from course_tools.grader.judge.judge import Judge, one_line
from course_tools.grader.judge.sandbox import Limits

STATUS_CHARS = 300


def _row(
    student: str,
    config: dict[str, Any],
    notebook: str,
    grade_id: str,
    score: float,
    max_score: float,
    status: str,
) -> dict[str, Any]:
    return {
        "student_id": student,
        "assignment": config["assignment"],
        "notebook": notebook,
        "grade_id": grade_id,
        "score": score,
        "max_score": max_score,
        "status": one_line(status, STATUS_CHARS),
    }


def grade_student(
    judge: Judge, config: dict[str, Any], student: str, folder: Path, out: Path | None
) -> list[dict[str, Any]]:
    """Rows for every test cell of every notebook of one student; writes their feedback."""
    notebooks: dict[str, list[SourceCell]] = {
        name: [SourceCell(**c) for c in cells] for name, cells in config["notebooks"].items()
    }
    names = sorted(notebooks)
    rows: list[dict[str, Any]] = []
    problems: dict[str, str] = {}
    for name in names:
        source = notebooks[name]
        tests = [c for c in source if c.kind == "test"]
        found = intake(folder, name, names, source)
        if found.problem:
            problems[name] = found.problem
            rows += [_row(student, config, name, c.grade_id, 0.0, c.points, found.problem) for c in tests]
            continue
        fallback = frozenset(config.get("fallback", {}).get(name, []))
        result = judge.run(found.program, fallback=fallback)
        note = f" [{'; '.join(found.notes)}]" if found.notes else ""
        by_id = {r.grade_id: r for r in result.cells if r.kind == "test"}
        nb_rows = []
        for cell in tests:
            record = by_id.get(cell.grade_id)
            if record is None:
                nb_rows.append(
                    _row(
                        student,
                        config,
                        name,
                        cell.grade_id,
                        0.0,
                        cell.points,
                        "not graded: the test cell was not reached" + note,
                    )
                )
            else:
                nb_rows.append(
                    _row(
                        student, config, name, cell.grade_id, record.score, cell.points, record.status + note
                    )
                )
        rows += nb_rows
        if out is not None:
            write_feedback(
                out / "feedback" / student / f"{name}.html",
                title=f"{config['assignment']} / {name}",
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


def calibrate(judge: Judge, config: dict[str, Any], folder: Path) -> dict[str, Any]:
    """Judge the instructor's own solution: every test cell must pass; which ones did not."""
    failures: dict[str, dict[str, str]] = {}
    for name, cells in config["notebooks"].items():
        source = [SourceCell(**c) for c in cells]
        found = intake(folder, name, sorted(config["notebooks"]), source)
        if found.problem:
            raise SystemExit(f"course grade: the solution notebook {name}: {found.problem}")
        result = judge.run(found.program)
        failures[name] = {
            r.grade_id: r.status for r in result.cells if r.kind == "test" and r.status != "passed"
        }
    return {"failures": failures, "blocked": judge.blocked}


def main() -> int:
    reply_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    config = json.loads(sys.stdin.readline())
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass
    limits = Limits(**config["limits"])
    judge = Judge(
        limits,
        sandboxed=config["sandboxed"],
        slot=config["slot"],
        cell_timeout=config["cell_timeout"],
        notebook_timeout=config["notebook_timeout"],
        blocked=config.get("blocked"),
    )
    out = Path(config["out"]) if config.get("out") else None
    with os.fdopen(reply_fd, "w", encoding="utf-8") as replies:
        for line in sys.stdin:
            request = json.loads(line)
            if "configure" in request:
                config.update(request["configure"])
                judge.blocked[:] = [list(b) for b in config.get("blocked") or []]
                answer = {}
            elif "calibrate" in request:
                answer = calibrate(judge, config, Path(request["calibrate"]))
            else:
                started = time.monotonic()
                try:
                    answer = {
                        "rows": grade_student(
                            judge, config, request["student"], Path(request["folder"]), out
                        ),
                        "seconds": time.monotonic() - started,
                    }
                except Exception as exc:  # a grader bug for one student must not stop the cohort
                    answer = {"error": one_line(f"grader error: {type(exc).__name__}: {exc}")}
            replies.write(json.dumps(answer) + "\n")
            replies.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
