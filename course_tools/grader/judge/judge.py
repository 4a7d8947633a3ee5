"""The trusted judge: runs the hidden tests itself, the student's code in a sandboxed worker.

For one notebook the judge walks the *program* (from :mod:`course_tools.grader.cohort.intake`):
student cells are sent to the worker; test cells, read from the instructor's source notebook,
are executed here, in the judge's own interpreter. In a test cell the student's names
(``one_hot``, ``CharLSTM``...) are proxies (:class:`~course_tools.grader.judge.remote.Remote`):
a call sends the arguments to the worker by value and brings the result back by value (see
:mod:`course_tools.grader.protocol.wire`). The oracles, ``assert_close``, NumPy and torch the
test uses are the judge's, untouched by anything the student ran; a test cell passes when it
runs to its end here without an exception, and the score is the judge's own record.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import time
from typing import Any

from course_tools.grader.judge.cells import (
    FORWARD,
    alarm,
    compile_test,
    failure_status,
    free_names,
    one_line,
    split_test,
    uses_probes,
)
from course_tools.grader.judge.remote import Remote, serve_lent
from course_tools.grader.judge.worker_process import WorkerGone, WorkerProcess
from course_tools.grader.protocol.errors import ErrorInfo, StudentError
from course_tools.grader.protocol.limits import (
    MAX_OUTPUT_CHARS,
    MAX_RESTARTS,
    TRACEBACK_CHARS,
    WORKER_START_TIMEOUT,
    Limits,
)
from course_tools.grader.protocol.proxy import number_of
from course_tools.grader.protocol.records import (
    CellRecord,
    NotebookResult,
    Step,
    StepKind,
    StudentStep,
    TestStep,
)
from course_tools.grader.protocol.rpc import Deadline
from course_tools.grader.protocol.wire import Codec, HandleTable, WireError


class Judge:
    """Grades notebooks one after another; one judge per grading slot (one process)."""

    def __init__(
        self,
        limits: Limits,
        *,
        sandboxed: bool,
        slot: int | None,
        cell_timeout: float,
        notebook_timeout: float,
        blocked: list[list[str]] | None = None,
    ) -> None:
        self.limits, self.sandboxed, self.slot = limits, sandboxed, slot
        self.cell_timeout, self.notebook_timeout = cell_timeout, notebook_timeout
        self.table = HandleTable()
        self.codec = Codec(
            self.table,
            borrowed=lambda info: Remote(self, info),
            is_proxy=lambda value: number_of(value, Remote, self),
            by_reference=lambda value: False,
        )
        self.codec.parameters_by_value = True
        self.worker: WorkerProcess | None = None
        self.output: list[str] = []
        self.output_chars = 0
        self.blocked: list[list[str]] = [list(b) for b in (blocked or [])]
        self.probes = False  # whether the notebook's tests use course_lib.gradient_probes
        self.ns: dict[str, Any] = {}
        self.in_hidden = False  # whether the test code running is a hidden part
        self._install_reference_blocked()

    # -- talking to the worker ---------------------------------------------------------------
    def collect_output(self, header: dict[str, Any]) -> None:
        """Keep what the student's code printed, as a reply of the worker reports it."""
        text = header.get("out")
        if isinstance(text, str) and text:
            self.output.append(text)
        self.output_chars += len(text or "") + int(header.get("dropped") or 0)

    def request(self, op: str, **params: Any) -> Any:
        """Ask the worker ``op``; a broken pipe or protocol means the worker is gone."""
        if self.worker is None:
            raise WorkerGone("the worker is not running")
        try:
            return self.worker.endpoint.request(op, **params)
        except Deadline:
            raise
        except (WireError, OSError) as exc:
            raise WorkerGone(str(exc)) from None

    def start_worker(self) -> None:
        self.stop_worker()
        self.worker = WorkerProcess(
            self.limits,
            sandboxed=self.sandboxed,
            slot=self.slot,
            codec=self.codec,
            serve=serve_lent,
            on_reply=self.collect_output,
        )
        self.worker.endpoint.deadline = time.monotonic() + WORKER_START_TIMEOUT
        if self.blocked:
            self.request("block", functions=self.blocked)
        if self.probes:  # imported (and their code remembered) before any student cell runs
            self.request("arm")

    def stop_worker(self) -> None:
        if self.worker is not None:
            self.worker.kill()
            self.worker = None
        self.table.objects.clear()
        self.table.ids.clear()

    def _set_deadline(self, notebook_deadline: float) -> float:
        """The current cell's deadline (the cell limit, within the notebook's), on the endpoint too."""
        deadline = min(notebook_deadline, time.monotonic() + self.cell_timeout)
        assert self.worker is not None
        self.worker.endpoint.deadline = deadline
        return deadline

    # -- reference_blocked, judged in both processes -----------------------------------------
    def _install_reference_blocked(self) -> None:
        import course_lib.grading as grading

        original = getattr(grading, "_judge_original_reference_blocked", grading.reference_blocked)
        grading._judge_original_reference_blocked = original  # type: ignore[attr-defined]
        judge = self

        @contextlib.contextmanager
        def reference_blocked(*functions: Any) -> Any:
            pairs = [[fn.__module__, fn.__qualname__] for fn in functions if hasattr(fn, "__qualname__")]
            new = [p for p in pairs if p not in judge.blocked]
            if new:
                judge.blocked.extend(new)
                if judge.worker is not None:
                    judge.request("block", functions=new)
            with original(*functions):
                yield

        grading.reference_blocked = reference_blocked

    # -- one notebook ------------------------------------------------------------------------
    def run(self, program: list[Step], *, fallback: frozenset[str] = frozenset()) -> NotebookResult:
        """Run ``program`` (student cells and test cells in order); the judge's verdicts."""
        result = NotebookResult()
        notebook_deadline = time.monotonic() + self.notebook_timeout
        done: list[str] = []  # student cells that ran without killing the worker, to replay
        restarts = 0
        self.reset_namespace()
        self.probes = any(uses_probes(step.source) for step in program if isinstance(step, TestStep))
        self.start_worker()
        try:
            for step in program:
                if time.monotonic() >= notebook_deadline:
                    limit = f"{self.notebook_timeout:g} s"
                    status = f"timeout: the notebook's time limit ({limit}) was reached"
                    result.cells.append(self._skipped(step, status))
                    continue
                if self.worker is None:
                    if restarts >= MAX_RESTARTS:
                        status = f"not graded: the sandbox was restarted {MAX_RESTARTS} times"
                        result.cells.append(self._skipped(step, status))
                        continue
                    restarts += 1
                    self._replay(done, notebook_deadline)
                if isinstance(step, StudentStep):
                    record, alive = self._student_cell(step, notebook_deadline)
                    result.cells.append(record)
                    if alive:
                        done.append(step.source)
                else:
                    result.cells.append(self._test_cell(step, notebook_deadline, step.grade_id in fallback))
        finally:
            self.stop_worker()
        result.blocked = [list(b) for b in self.blocked]
        return result

    def _replay(self, done: list[str], notebook_deadline: float) -> None:
        self.start_worker()
        for source in done:
            self._set_deadline(notebook_deadline)
            try:
                self.request("exec", source=source)
            except (Deadline, WorkerGone):
                self.stop_worker()
                return
        self.output.clear()

    @staticmethod
    def _skipped(step: Step, status: str) -> CellRecord:
        if isinstance(step, StudentStep):
            return CellRecord(StepKind.STUDENT, step.label, step.source, error=status)
        return CellRecord(
            StepKind.TEST,
            step.grade_id,
            step.source,
            grade_id=step.grade_id,
            max_score=step.points,
            status=status,
        )

    def _take_output(self) -> tuple[str, int]:
        text, chars = "".join(self.output), self.output_chars
        self.output.clear()
        self.output_chars = 0
        return text, chars

    def _student_cell(self, step: StudentStep, notebook_deadline: float) -> tuple[CellRecord, bool]:
        record = CellRecord(StepKind.STUDENT, step.label, step.source)
        self._set_deadline(notebook_deadline)
        try:
            reply = self.request("exec", source=step.source)
            if reply:
                error = ErrorInfo.from_wire(reply)
                record.error = one_line(f"{error.type_name}: {error.message}", TRACEBACK_CHARS)
                record.error = (error.where + "\n" if error.where else "") + record.error
        except Deadline:
            record.error = f"timeout: this cell ran longer than {self.cell_timeout:g} s and was stopped"
            self.stop_worker()
        except WorkerGone:
            death = self.worker.death() if self.worker is not None else "it stopped"
            record.error = f"crashed: this cell ended the sandboxed Python process ({death})"
            self.stop_worker()
        text, chars = self._take_output()
        record.output = text + (
            f"\n… [output truncated: {chars:,} characters in all]" if chars > len(text) else ""
        )
        return record, self.worker is not None

    def _bind_student_names(self, source: str) -> set[str]:
        """Bind the student's names the cell uses to proxies; returns them."""
        names = free_names(source)
        present = self.request("has", names=names) if names else []
        for name in names:
            if type(self.ns.get(name)) is Remote:  # stale: from an earlier worker
                del self.ns[name]
        for name in present:
            self.ns[name] = self.request("lookup", name=name)
        self.ns[FORWARD] = lambda values: self.request("setnames", values=values)
        return set(present)

    def _run_test(self, step: TestStep, deadline: float, shown: io.StringIO, in_sandbox: bool) -> None:
        """Run a test cell's checks, raising when one fails; ``self.in_hidden`` says whether the
        part running (or that failed) is hidden."""
        if in_sandbox:
            self.in_hidden = True
            reply = self.request("exec", source=step.source)
            if reply:
                error = ErrorInfo.from_wire(reply)
                raise StudentError(error.type_name, error.message)
            return
        forwarded = self._bind_student_names(step.source)
        for hidden, code in split_test(step.source):
            self.in_hidden = hidden
            sink = io.StringIO() if hidden else shown
            with contextlib.redirect_stdout(sink), alarm(deadline):
                exec(compile_test(code, f"<test {step.grade_id}>", forwarded), self.ns)

    def _test_cell(self, step: TestStep, notebook_deadline: float, in_sandbox: bool) -> CellRecord:
        record = CellRecord(
            StepKind.TEST, step.grade_id, step.source, grade_id=step.grade_id, max_score=step.points
        )
        deadline = self._set_deadline(notebook_deadline)
        shown = io.StringIO()
        self.in_hidden = False
        try:
            self._run_test(step, deadline, shown, in_sandbox)
            record.score, record.status = step.points, "passed"
        except Deadline:
            record.status = f"timeout: the check ran longer than {self.cell_timeout:g} s"
            self.stop_worker()
        except WorkerGone:
            death = self.worker.death() if self.worker is not None else "it stopped"
            record.status = (
                f"crashed: your code ended the sandboxed Python process during the check ({death})"
            )
            self.stop_worker()
        except BaseException as exc:  # the test failed: any exception, whatever its class
            if isinstance(exc, KeyboardInterrupt):
                raise
            record.status = failure_status(exc, self.in_hidden)
        if in_sandbox:
            record.status += " (judged inside the sandbox)"
        text, chars = self._take_output()
        record.hidden_output_chars = chars
        record.output = shown.getvalue()[:MAX_OUTPUT_CHARS]
        return record

    def reset_namespace(self) -> None:
        self.ns = {"__name__": "__main__", "__builtins__": builtins}
