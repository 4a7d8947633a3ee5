"""``course grade``: autograde a folder of submissions and write ``grades.csv`` and feedback.

Layout in: ``SUBMISSIONS/<student_id>/<notebook>.ipynb`` (``course collect`` makes it from an
LMS download). Layout out::

    OUT/grades.csv                      one row per (student, notebook, graded test cell)
    OUT/feedback/<student_id>/<notebook>.html

How (details in ``docs/grading.md``): the test cells are read from the instructor's source
notebook ``solutions/<A>/``. ``--jobs N`` judge processes
(:mod:`course_tools.grader.cohort.slot`) each take students from a queue; a judge runs the
student's cells in a sandboxed worker (:mod:`course_tools.grader.judge.sandbox`) and the test
cells itself (:mod:`course_tools.grader.judge.judge`). Before the cohort, the solution is graded
the same way: it must pass every test cell (a test cell the proxies cannot judge from outside
is then judged inside the sandbox, with a warning). ``--shard K/M`` grades a fixed subset of
students; ``course merge`` joins the shards.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

from course_tools.grader.cohort.intake import source_cells
from course_tools.grader.judge.sandbox import unavailable_reason
from course_tools.grader.protocol.limits import CELL_TIMEOUT, NOTEBOOK_TIMEOUT, SLOT_BACKSTOP, Limits
from course_tools.grader.protocol.records import COLUMNS, CellKind, Row, SourceCell
from course_tools.grader.protocol.slots import (
    Answer,
    Calibrate,
    Calibrated,
    Calibration,
    Configure,
    Failed,
    Graded,
    GradeStudent,
    Request,
    SlotConfig,
    read_answer,
    request_line,
)

UNSAFE_FLAG = "--unsafe-no-sandbox"
UIDS_PER_RUN = 64  # sandbox uids a run may use (one per slot): --jobs stays below it


def students_in(submissions: Path) -> list[str]:
    if not submissions.is_dir():
        raise SystemExit(f"course grade: --submissions {submissions} is not a folder")
    students = sorted(p.name for p in submissions.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not students:
        raise SystemExit(f"course grade: {submissions} holds no student folders (expected DIR/<student_id>/)")
    return students


def in_shard(student: str, shard: tuple[int, int] | None) -> bool:
    """Whether ``student`` belongs to shard ``K/M`` (by a hash of the id: stable as the cohort grows).

    >>> sum(in_shard(f"s{i}", (k, 3)) for i in range(30) for k in (1, 2, 3))
    30
    """
    if shard is None:
        return True
    k, m = shard
    digest = int(hashlib.sha256(student.encode()).hexdigest()[:12], 16)
    return digest % m == k - 1


def parse_shard(text: str | None) -> tuple[int, int] | None:
    """``"2/5"`` -> ``(2, 5)``."""
    if not text:
        return None
    try:
        k, m = (int(v) for v in text.split("/"))
    except ValueError:
        raise SystemExit(f"course grade: --shard wants K/M (e.g. 2/5), got {text!r}") from None
    if not 1 <= k <= m:
        raise SystemExit(f"course grade: --shard {text}: K must be in 1..M")
    return k, m


class Slot:
    """One judge process and the thread that feeds it."""

    def __init__(self, config: SlotConfig) -> None:
        self.config = config
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "course_tools.grader.cohort.slot"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=sys.stderr,
            text=True,
            bufsize=1,
        )
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(self.config.to_json()) + "\n")
        self.proc.stdin.flush()

    def ask(self, request: Request) -> Answer:
        """Send one request; a judge process that died is restarted and asked once more."""
        answer = self._ask_once(request)
        if isinstance(answer, Failed) and answer.error.startswith("grader error: the judge process stopped"):
            print(f"course grade: {answer.error}; restarting it", file=sys.stderr)
            answer = self._ask_once(request)
        return answer

    def _ask_once(self, request: Request) -> Answer:
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        assert self.proc is not None and self.proc.stdin is not None and self.proc.stdout is not None
        limit = self.config.notebook_timeout * len(self.config.notebooks) + SLOT_BACKSTOP
        watchdog = threading.Timer(limit, self.proc.kill)  # the judge enforces limits; this is a backstop
        watchdog.start()
        try:
            self.proc.stdin.write(request_line(request))
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        except OSError as exc:
            line = ""
            error = str(exc)
        else:
            error = f"exit code {self.proc.poll()}"
        finally:
            watchdog.cancel()
        if not line:
            try:
                error = f"exit code {self.proc.wait(timeout=10)}"
            except subprocess.TimeoutExpired:
                pass
            self.close()
            return Failed(f"grader error: the judge process stopped ({error})")
        return read_answer(line)

    def close(self) -> None:
        if self.proc is not None:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None


def _zero_rows(
    student: str, assignment: str, notebooks: dict[str, list[SourceCell]], status: str
) -> list[Row]:
    return [
        Row.of(student, assignment, nb, c, 0.0, status)
        for nb, cells in sorted(notebooks.items())
        for c in cells
        if c.kind == CellKind.TEST
    ]


def write_csv(rows: list[Row], path: Path) -> None:
    tmp = path.with_suffix(".csv.tmp")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows(r.csv_fields() for r in rows)
    tmp.replace(path)


def _refuse_unsandboxed(sandbox: bool) -> None:
    """Stop unless student code will run in the sandbox (or the instructor said not to)."""
    if not sandbox:
        print(
            "course grade: WARNING: grading without the sandbox; student code runs with your rights",
            file=sys.stderr,
        )
        return
    reason = unavailable_reason()
    if reason:
        raise SystemExit(
            f"course grade: refusing to run student code without the sandbox: {reason}.\n"
            f"Pass {UNSAFE_FLAG} to grade anyway with NO isolation (only for trusted "
            "notebooks: student code then runs with your rights)."
        )


def _calibrate(slots: list[Slot], source_dir: Path) -> None:
    """Grade the solution in the first slot; tell every slot what it taught."""
    answer = slots[0].ask(Calibrate(str(source_dir)))
    if not isinstance(answer, Calibrated):
        for slot in slots:
            slot.close()
        error = answer.error if isinstance(answer, Failed) else None
        raise SystemExit(f"course grade: grading the solution failed: {error}")
    calibration = Calibration(
        blocked=answer.blocked,
        fallback={nb: sorted(f) for nb, f in answer.failures.items() if f},
    )
    for nb, failed in answer.failures.items():
        for gid, status in failed.items():
            print(
                f"course grade: WARNING: {nb}/{gid} fails on the solution when judged outside "
                "the sandbox "
                f"({status}); it is judged inside the sandbox, where student code could subvert it",
                file=sys.stderr,
            )
    for slot in slots:
        slot.config.calibration = calibration
        slot.ask(Configure(calibration))


def _grade_cohort(
    slots: list[Slot], students: list[str], submissions: Path, timings: dict[str, float] | None
) -> dict[str, list[Row]]:
    """Every student's rows, each slot's thread taking students from one queue."""
    todo: queue.Queue[str] = queue.Queue()
    for student in students:
        todo.put(student)
    results: dict[str, list[Row]] = {}
    lock = threading.Lock()

    def work(slot: Slot) -> None:
        try:
            while True:
                try:
                    student = todo.get_nowait()
                except queue.Empty:
                    return
                answer = slot.ask(GradeStudent(student, str(submissions / student)))
                if isinstance(answer, Graded):
                    rows = answer.rows
                else:
                    error = answer.error if isinstance(answer, Failed) else None
                    rows = _zero_rows(student, slot.config.assignment, slot.config.notebooks, str(error))
                with lock:
                    results[student] = rows
                    if timings is not None and isinstance(answer, Graded):
                        timings[student] = answer.seconds
        finally:
            slot.close()

    threads = [threading.Thread(target=work, args=(slot,)) for slot in slots]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def grade(
    root: Path,
    assignment: str,
    submissions: Path,
    out: Path,
    *,
    jobs: int = 1,
    cell_timeout: float = CELL_TIMEOUT,
    notebook_timeout: float = NOTEBOOK_TIMEOUT,
    limits: Limits | None = None,
    sandbox: bool = True,
    shard: tuple[int, int] | None = None,
    calibrate: bool = True,
    keep_work: bool = False,
    timings: dict[str, float] | None = None,
) -> list[Row]:
    """Grade every student folder in ``submissions`` (of this shard); write ``out/grades.csv``.

    ``timings``, if given, receives the seconds each student took in its judge.
    """
    source_dir = root / "solutions" / assignment
    paths = sorted(source_dir.glob("*.ipynb"))
    if not paths:
        raise SystemExit(f"course grade: no assignment {assignment!r} in {root / 'solutions'}")
    notebooks = {p.stem: source_cells(p) for p in paths}
    if not any(c.kind == CellKind.TEST for cells in notebooks.values() for c in cells):
        raise SystemExit(f"course grade: {source_dir} has no graded cells")
    students = [s for s in students_in(submissions) if in_shard(s, shard)]
    _refuse_unsandboxed(sandbox)
    out.mkdir(parents=True, exist_ok=True)
    # each slot's sandbox runs as its own uid (sandbox.UID_BASE + slot), distinct between runs too,
    # so that RLIMIT_NPROC counts one sandbox's processes only, even with two runs at once
    run = (os.getpid() % 10_000) * UIDS_PER_RUN
    slots = [
        Slot(
            SlotConfig(
                assignment,
                notebooks,
                limits or Limits(),
                sandbox,
                cell_timeout,
                notebook_timeout,
                str(out),
                run + i,
            )
        )
        for i in range(max(1, min(jobs, len(students))))
    ]
    for slot in slots:  # each judge imports torch and the oracles while the solution is graded
        slot.start()
    if calibrate:
        _calibrate(slots, source_dir)
    results = _grade_cohort(slots, students, submissions, timings)
    rows = [row for student in students for row in results[student]]
    write_csv(rows, out / "grades.csv")
    return rows
