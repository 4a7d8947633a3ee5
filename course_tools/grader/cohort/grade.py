"""``course grade``: autograde a folder of submissions and write ``grades.csv`` and feedback.

Layout in: ``SUBMISSIONS/<student_id>/<notebook>.ipynb`` (``course collect`` makes it from an
LMS download). Layout out::

    OUT/grades.csv                      one row per (student, notebook, graded test cell)
    OUT/totals.csv                      one row per student: score, maximum, percent, late, status
    OUT/feedback/<student_id>/<notebook>.html
    OUT/report.html                     the cohort at a glance, offline (course_tools.grader.cohort.report)
    OUT/run.json                        what was graded (course_tools.grader.cohort.run)

How (details in ``docs/grading.md``): the test cells are read from the instructor's source
notebook ``solutions/<A>/``. ``--jobs N`` judge processes
(:mod:`course_tools.grader.cohort.slot`) each take students from a queue; a judge runs the
student's cells in a sandboxed worker (:mod:`course_tools.grader.judge.sandbox`) and the test
cells itself (:mod:`course_tools.grader.judge.judge`). Before the cohort, the solution is graded
the same way: it must pass every test cell (a test cell the proxies cannot judge from outside
is then judged inside the sandbox, with a warning). ``--shard K/M`` grades a fixed subset of
students; ``course merge`` joins the shards. ``--student ID ...`` regrades chosen students into
an earlier run's ``OUT``; an ``OUT`` holding an earlier run is otherwise moved to
``OUT/earlier/<time>/`` first, never overwritten.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

from course_tools.grader.cohort.intake import source_cells
from course_tools.grader.cohort.run import (
    Progress,
    RunInfo,
    by_student,
    check_out,
    in_shard,
    keep_earlier,
    now,
    read_rows,
    regrade_target,
    set_aside,
    source_digests,
    write_csv,
    write_run,
    write_totals,
)
from course_tools.grader.cohort.run import parse_shard as parse_shard
from course_tools.grader.judge.sandbox import unavailable_reason
from course_tools.grader.protocol.limits import CELL_TIMEOUT, NOTEBOOK_TIMEOUT, SLOT_BACKSTOP, Limits
from course_tools.grader.protocol.records import CellKind, Row, SourceCell
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


def _calibrate(slots: list[Slot], source_dir: Path) -> list[list[str]]:
    """Grade the solution in the first slot; tell every slot what it taught; the references blocked."""
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
    return [list(b) for b in answer.blocked]


def _grade_cohort(
    slots: list[Slot],
    students: list[str],
    submissions: Path,
    timings: dict[str, float] | None,
    progress: Progress,
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
                    progress.done(student, rows)
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
    students: list[str] | None = None,
    progress: bool = False,
    report: bool = True,
) -> list[Row]:
    """Grade every student folder in ``submissions`` (of this shard); write ``out/grades.csv``.

    ``students``: regrade only these into the earlier run in ``out`` (their rows and feedback
    replaced, the rest kept). ``progress``: a progress bar on stderr. ``timings``, if given,
    receives the seconds each student took in its judge.
    """
    source_dir = root / "solutions" / assignment
    paths = sorted(source_dir.glob("*.ipynb"))
    if not paths:
        raise SystemExit(f"course grade: no assignment {assignment!r} in {root / 'solutions'}")
    notebooks = {p.stem: source_cells(p) for p in paths}
    if not any(c.kind == CellKind.TEST for cells in notebooks.values() for c in cells):
        raise SystemExit(f"course grade: {source_dir} has no graded cells")
    check_out(out, submissions)
    cohort = students_in(submissions)
    earlier = regrade_target(out, assignment, source_dir, students, cohort) if students is not None else None
    if earlier is not None:
        shard = (earlier.shard[0], earlier.shard[1]) if earlier.shard else None
        chosen = sorted(set(students or []))
    else:
        chosen = [s for s in cohort if in_shard(s, shard)]
    _refuse_unsandboxed(sandbox)
    out.mkdir(parents=True, exist_ok=True)
    if earlier is not None:
        kept = set_aside(out, chosen)
        print(f"course grade: the replaced rows and feedback are kept in {kept}", file=sys.stderr)
    else:
        moved = keep_earlier(out)
        if moved is not None:
            print(f"course grade: {out} held an earlier run; it is kept in {moved}", file=sys.stderr)
    info = RunInfo(
        assignment,
        source_digests(source_dir),
        list(shard) if shard else None,
        cohort,
        chosen,
        str(submissions),
        now(),
    )
    if earlier is not None:
        info.students = sorted(set(earlier.students) | set(chosen))
        info.started, info.references = earlier.started, earlier.references
        info.regraded = [*earlier.regraded, {"at": now(), "students": chosen}]
    write_run(out, info)  # without "finished" until the grades are written
    rows = _run_slots(
        assignment,
        notebooks,
        chosen,
        submissions,
        out,
        source_dir,
        jobs=jobs,
        cell_timeout=cell_timeout,
        notebook_timeout=notebook_timeout,
        limits=limits,
        sandbox=sandbox,
        calibrate=calibrate,
        timings=timings,
        progress=progress,
        info=info,
    )
    if earlier is not None:
        kept_rows = [r for r in read_rows(out / "grades.csv") if r.student_id not in set(chosen)]
        grouped = by_student(kept_rows + rows)
        rows = [row for student in sorted(grouped) for row in grouped[student]]
    write_csv(rows, out / "grades.csv")
    write_totals(rows, submissions, out / "totals.csv")
    info.finished = now()
    write_run(out, info)
    if report:
        _write_report(root, out)
    return rows


def _run_slots(
    assignment: str,
    notebooks: dict[str, list[SourceCell]],
    students: list[str],
    submissions: Path,
    out: Path,
    source_dir: Path,
    *,
    jobs: int,
    cell_timeout: float,
    notebook_timeout: float,
    limits: Limits | None,
    sandbox: bool,
    calibrate: bool,
    timings: dict[str, float] | None,
    progress: bool,
    info: RunInfo,
) -> list[Row]:
    """Start the judge processes, calibrate them, grade ``students``; their rows in order."""
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
        info.references = _calibrate(slots, source_dir)
    bar = Progress(len(students), enabled=progress)
    try:
        results = _grade_cohort(slots, students, submissions, timings, bar)
    finally:
        bar.close()
    return [row for student in students for row in results[student]]


def _write_report(root: Path, out: Path) -> None:
    from course_tools.grader.cohort.report import write_report_safely

    write_report_safely(root, out)
