"""The trusted judge: runs the hidden tests itself, the student's code in a sandboxed worker.

For one notebook the judge walks the *program* (from :mod:`course_tools.grader.cohort.intake`): student
cells are sent to the worker; test cells, read from the instructor's source notebook, are
executed here, in the judge's own interpreter. In a test cell the student's names (``one_hot``,
``CharLSTM``...) are proxies: a call sends the arguments to the worker by value and brings the
result back by value (see :mod:`course_tools.grader.protocol.wire`). The oracles, ``assert_close``, NumPy and
torch the test uses are the judge's, untouched by anything the student ran; a test cell passes
when it runs to its end here without an exception, and the score is the judge's own record.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import time
from dataclasses import dataclass, field
from typing import Any

from course_tools.grader.protocol import mutation
from course_tools.grader.judge.remote import Remote
from course_tools.grader.protocol.rpc import Deadline
from course_tools.grader.judge.sandbox import Limits
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
from course_tools.grader.protocol.wire import Codec, HandleTable, StudentError, WireError
from course_tools.grader.judge.worker_process import WorkerGone, WorkerProcess

MAX_RESTARTS = 4  # worker restarts per notebook (each re-runs the cells before the crash)


@dataclass
class CellRecord:
    """What happened to one cell of the program (for feedback and statuses)."""

    kind: str  # "student" or "test"
    label: str
    source: str
    output: str = ""
    error: str = ""
    grade_id: str = ""
    score: float = 0.0
    max_score: float = 0.0
    status: str = ""
    hidden_output_chars: int = 0


@dataclass
class NotebookResult:
    cells: list[CellRecord] = field(default_factory=list)
    blocked: list[list[str]] = field(default_factory=list)


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
            self.table, lambda n, meta: Remote(self, n, meta), self._remote_number, lambda value: False
        )
        self.codec.parameters_by_value = True
        self.worker: WorkerProcess | None = None
        self.output: list[str] = []
        self.output_chars = 0
        self.blocked: list[list[str]] = [list(b) for b in (blocked or [])]
        self.probes = False  # whether the notebook's tests use course_lib.gradient_probes
        self._install_reference_blocked()

    # -- talking to the worker ---------------------------------------------------------------
    def _remote_number(self, value: Any) -> int | None:
        if type(value) is Remote and object.__getattribute__(value, "_judge") is self:
            return int(object.__getattribute__(value, "_number"))
        return None

    def collect_output(self, header: dict[str, Any]) -> None:
        text = header.get("out")
        if isinstance(text, str) and text:
            self.output.append(text)
        self.output_chars += len(text or "") + int(header.get("dropped") or 0)

    def ask(self, op: str, **params: Any) -> Any:
        if self.worker is None:
            raise WorkerGone("the worker is not running")
        try:
            return self.worker.endpoint.request(op, **params)
        except Deadline:
            raise
        except (WireError, OSError) as exc:
            raise WorkerGone(str(exc)) from None

    def call(self, target: Remote, args: list[Any], kwargs: dict[str, Any]) -> Any:
        result = self.ask("call", target=target, args=args, kwargs=kwargs)
        assert self.worker is not None
        mutation.write_back(self.worker.endpoint.last_reply, self.codec, args, kwargs)
        return result

    def start_worker(self) -> None:
        self.stop_worker()
        self.worker = WorkerProcess(self.limits, sandboxed=self.sandboxed, slot=self.slot, judge=self)
        self.worker.endpoint.deadline = time.monotonic() + 60
        if self.blocked:
            self.ask("block", functions=self.blocked)
        if self.probes:  # imported (and their code remembered) before any student cell runs
            self.ask("arm")

    def stop_worker(self) -> None:
        if self.worker is not None:
            self.worker.kill()
            self.worker = None
        self.table.objects.clear()
        self.table.ids.clear()

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
                    judge.ask("block", functions=new)
            with original(*functions):
                yield

        grading.reference_blocked = reference_blocked  # type: ignore[assignment]

    # -- one notebook ------------------------------------------------------------------------
    def run(self, program: list[dict[str, Any]], *, fallback: frozenset[str] = frozenset()) -> NotebookResult:
        """Run ``program`` (student cells and test cells in order); the judge's verdicts."""
        result = NotebookResult()
        notebook_deadline = time.monotonic() + self.notebook_timeout
        done: list[str] = []  # student cells that ran without killing the worker, to replay
        restarts = 0
        self.reset_namespace()
        self.probes = any(uses_probes(step["source"]) for step in program if step["kind"] == "test")
        self.start_worker()
        try:
            for step in program:
                if time.monotonic() >= notebook_deadline:
                    result.cells.append(
                        self._skipped(
                            step,
                            f"timeout: the notebook's time limit ({self.notebook_timeout:g} s) was reached",
                        )
                    )
                    continue
                if self.worker is None:
                    if restarts >= MAX_RESTARTS:
                        result.cells.append(
                            self._skipped(step, f"not graded: the sandbox was restarted {MAX_RESTARTS} times")
                        )
                        continue
                    restarts += 1
                    self._replay(done, notebook_deadline)
                if step["kind"] == "student":
                    record, alive = self._student_cell(step, notebook_deadline)
                    result.cells.append(record)
                    if alive:
                        done.append(step["source"])
                else:
                    result.cells.append(
                        self._test_cell(step, notebook_deadline, step["grade_id"] in fallback)
                    )
        finally:
            self.stop_worker()
        result.blocked = [list(b) for b in self.blocked]
        return result

    def _replay(self, done: list[str], notebook_deadline: float) -> None:
        self.start_worker()
        for source in done:
            assert self.worker is not None
            self.worker.endpoint.deadline = min(notebook_deadline, time.monotonic() + self.cell_timeout)
            try:
                self.ask("exec", source=source)
            except (Deadline, WorkerGone):
                self.stop_worker()
                return
        self.output.clear()

    def _skipped(self, step: dict[str, Any], status: str) -> CellRecord:
        if step["kind"] == "student":
            return CellRecord("student", step.get("label", ""), step["source"], error=status)
        return CellRecord(
            "test",
            step["grade_id"],
            step["source"],
            grade_id=step["grade_id"],
            max_score=float(step["points"]),
            status=status,
        )

    def _take_output(self) -> tuple[str, int]:
        text, chars = "".join(self.output), self.output_chars
        self.output.clear()
        self.output_chars = 0
        return text, chars

    def _student_cell(self, step: dict[str, Any], notebook_deadline: float) -> tuple[CellRecord, bool]:
        record = CellRecord("student", step.get("label", ""), step["source"])
        assert self.worker is not None
        self.worker.endpoint.deadline = min(notebook_deadline, time.monotonic() + self.cell_timeout)
        try:
            error = self.ask("exec", source=step["source"])
            if error:
                record.error = one_line(f"{error.get('type')}: {error.get('message')}", 2000)
                where = str(error.get("where") or "")
                record.error = (where + "\n" if where else "") + record.error
        except Deadline:
            record.error = f"timeout: this cell ran longer than {self.cell_timeout:g} s and was stopped"
            self.stop_worker()
        except WorkerGone:
            record.error = f"crashed: this cell ended the sandboxed Python process ({self.worker.death()})"
            self.stop_worker()
        text, chars = self._take_output()
        record.output = text + (
            f"\n… [output truncated: {chars:,} characters in all]" if chars > len(text) else ""
        )
        return record, self.worker is not None

    def _bind_student_names(self, source: str, ns: dict[str, Any]) -> set[str]:
        """Bind the student's names the cell uses to proxies; returns them."""
        names = free_names(source)
        present = self.ask("has", names=names) if names else []
        for name in names:
            if type(ns.get(name)) is Remote:  # stale: from an earlier worker
                del ns[name]
        for name in present:
            ns[name] = self.ask("lookup", name=name)
        ns[FORWARD] = lambda values: self.ask("setnames", values=values)
        return set(present)

    def _test_cell(self, step: dict[str, Any], notebook_deadline: float, in_sandbox: bool) -> CellRecord:
        grade_id, points = step["grade_id"], float(step["points"])
        record = CellRecord("test", grade_id, step["source"], grade_id=grade_id, max_score=points)
        assert self.worker is not None
        deadline = min(notebook_deadline, time.monotonic() + self.cell_timeout)
        self.worker.endpoint.deadline = deadline
        shown = io.StringIO()
        hidden_failed = False
        try:
            if in_sandbox:
                hidden_failed = True
                error = self.ask("exec", source=step["source"])
                if error:
                    raise StudentError(str(error.get("type")), str(error.get("message")))
            else:
                forwarded = self._bind_student_names(step["source"], self.ns)
                for hidden, code in split_test(step["source"]):
                    hidden_failed = hidden
                    sink = io.StringIO() if hidden else shown
                    with contextlib.redirect_stdout(sink), alarm(deadline):
                        exec(compile_test(code, f"<test {grade_id}>", forwarded), self.ns)
            record.score, record.status = points, "passed"
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
            record.status = failure_status(exc, hidden_failed)
        if in_sandbox:
            record.status += " (judged inside the sandbox)"
        text, chars = self._take_output()
        record.hidden_output_chars = chars
        record.output = shown.getvalue()[:20_000]
        return record

    ns: dict[str, Any] = {}

    def reset_namespace(self) -> None:
        self.ns = {"__name__": "__main__", "__builtins__": builtins}
