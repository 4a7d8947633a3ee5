"""The trusted judge: runs the hidden tests itself, the student's code in a sandboxed worker.

For one notebook the judge walks the *program* (from :mod:`course_lib.cli.intake`): student
cells are sent to the worker; test cells, read from the instructor's source notebook, are
executed here, in the judge's own interpreter. In a test cell the student's names (``one_hot``,
``CharLSTM``...) are proxies: a call sends the arguments to the worker by value and brings the
result back by value (see :mod:`course_lib.cli.wire`). The oracles, ``assert_close``, NumPy and
torch the test uses are the judge's, untouched by anything the student ran; a test cell passes
when it runs to its end here without an exception, and the score is the judge's own record.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import io
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from course_lib.cli.rpc import Deadline, Endpoint
from course_lib.cli.sandbox import Limits, worker_command, worker_env
from course_lib.cli.wire import Codec, HandleTable, StudentError, WireError

HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
STATUS_CHARS = 240
MAX_RESTARTS = 4  # worker restarts per notebook (each re-runs the cells before the crash)
DRAIN_KEEP = 8_000  # characters of the worker's raw fd 1/2 kept (diagnostics for crashes)
# methods of a lent (grader-owned) object that a student's code may not call: they would
# change the grader's own model or tensors
MUTATORS = {
    "load_state_dict",
    "apply",
    "to",
    "cuda",
    "cpu",
    "half",
    "double",
    "float",
    "bfloat16",
    "type",
    "requires_grad_",
    "zero_grad",
    "share_memory",
    "add_module",
    "register_module",
    "copy_",
    "set_",
    "fill_",
    "zero_",
    "data",
    "register_buffer",
    "register_parameter",
    "set_state",
    "manual_seed",
    "seed",
    "bit_generator",
}


def one_line(text: str, limit: int = STATUS_CHARS) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class WorkerGone(Exception):
    """The worker died (exit, signal, memory) or broke the protocol."""


class WorkerProcess:
    """One sandboxed worker process and the judge's endpoint to it."""

    def __init__(self, limits: Limits, *, sandboxed: bool, slot: int | None, judge: Judge) -> None:
        to_worker_r, to_worker_w = os.pipe()
        from_worker_r, from_worker_w = os.pipe()
        cmd = worker_command(limits, sandboxed=sandboxed)
        env = worker_env(limits, slot if sandboxed else None)

        def child_fds() -> None:  # runs in the child between fork and exec
            import fcntl

            high_r = fcntl.fcntl(to_worker_r, fcntl.F_DUPFD, 100)
            high_w = fcntl.fcntl(from_worker_w, fcntl.F_DUPFD, 100)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            cwd="/" if sandboxed else _scratch(),
            start_new_session=True,
            pass_fds=(3, 4),
            preexec_fn=child_fds,
        )
        os.close(to_worker_r)
        os.close(from_worker_w)
        self.drained: list[bytes] = []
        self.drained_chars = 0
        threading.Thread(target=self._drain, daemon=True).start()
        self.endpoint = Endpoint(
            from_worker_r, to_worker_w, judge.codec, judge.serve_lent, on_reply=judge.collect_output
        )
        self.endpoint.extra_header = _grad_header
        self.fds = (from_worker_r, to_worker_w)

    def _drain(self) -> None:
        assert self.proc.stdout is not None
        for chunk in iter(lambda: self.proc.stdout.read1(65536), b""):  # type: ignore[union-attr]
            if self.drained_chars < DRAIN_KEEP:
                self.drained.append(chunk[: DRAIN_KEEP - self.drained_chars])
            self.drained_chars += len(chunk)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(Exception):
            self.proc.wait(timeout=10)
        for fd in self.fds:
            with contextlib.suppress(OSError):
                os.close(fd)

    def death(self) -> str:
        """Words for how the worker ended (after it stopped answering)."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=2)
        code = self.proc.poll()
        tail = b"".join(self.drained).decode(errors="replace")
        if code is None:
            return "it broke the grader's protocol"
        if code < 0:
            name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
            return f"it was killed by signal {name}" + (" (memory limit?)" if "MemoryError" in tail else "")
        if "MemoryError" in tail or "Cannot allocate memory" in tail:
            return f"it ran out of memory (exit code {code})"
        return f"it exited with code {code}"


def _scratch() -> str:
    import tempfile

    return tempfile.mkdtemp(prefix="course-worker-")


def _grad_header() -> dict[str, Any]:
    torch = sys.modules.get("torch")
    return {"grad": bool(torch.is_grad_enabled())} if torch is not None else {}


class Remote:
    """The judge's view of an object that lives in the worker (a student's function, model...)."""

    __slots__ = ("_judge", "_number", "_type", "_callable", "_class")

    def __init__(self, judge: Judge, number: int, meta: dict[str, Any]) -> None:
        object.__setattr__(self, "_judge", judge)
        object.__setattr__(self, "_number", number)
        object.__setattr__(self, "_type", str(meta.get("type", "object"))[:80])
        object.__setattr__(self, "_callable", bool(meta.get("callable")))
        object.__setattr__(self, "_class", _trusted_class(meta.get("mro")))

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # isinstance(model, nn.Module) for a student's nn.Module subclass
        return object.__getattribute__(self, "_class")

    def _ask(self, op: str, **params: Any) -> Any:
        return self._judge.ask(op, target=self, **params)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._judge.call(self, list(args), kwargs)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self._ask("getattr", name=name)

    def __setattr__(self, name: str, value: Any) -> None:
        self._ask("setattr", name=name, value=value)

    def __getitem__(self, key: Any) -> Any:
        return self._ask("getitem", key=key)

    def __setitem__(self, key: Any, value: Any) -> None:
        self._ask("setitem", key=key, value=value)

    def __len__(self) -> int:
        return int(self._ask("len"))

    def __iter__(self) -> Any:
        return self._ask("iter")

    def __next__(self) -> Any:
        return self._ask("next")

    def __bool__(self) -> bool:
        return bool(self._ask("bool"))

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        import numpy as np

        array = np.asarray(self._ask("array"))
        return array.astype(dtype) if dtype is not None else array

    def __repr__(self) -> str:
        return str(self._ask("repr"))[:2000]


TRUSTED_MODULES = ("torch", "numpy", "collections", "course_lib")


def _trusted_class(mro: Any) -> type:
    """The first class of a student object's MRO that a trusted, already imported module defines
    (``torch.nn.Module`` for a student's model), else :class:`Remote` itself."""
    for entry in mro if isinstance(mro, list) else []:
        if not (isinstance(entry, list) and len(entry) == 2 and all(isinstance(e, str) for e in entry)):
            continue
        module_name, qualname = entry
        if module_name.split(".")[0] not in TRUSTED_MODULES or module_name not in sys.modules:
            continue
        target: Any = sys.modules[module_name]
        for part in qualname.split("."):
            target = getattr(target, part, None)
        if isinstance(target, type) and target is not object:
            return target
    return Remote


def _restore_mutated(original: Any, new: Any) -> None:
    """Write a student's in-place change of an argument back into the judge's object."""
    import numpy as np

    if isinstance(original, np.ndarray) and isinstance(new, np.ndarray):
        if original.shape == new.shape and original.flags.writeable:
            np.copyto(original, new.astype(original.dtype, copy=False))
        return
    module = type(original).__module__ or ""
    if module.startswith("torch"):
        import torch

        if isinstance(original, torch.Generator) and isinstance(new, torch.Generator):
            original.set_state(new.get_state())
        elif (
            isinstance(original, torch.Tensor)
            and isinstance(new, torch.Tensor)
            and original.shape == new.shape
        ):
            with torch.no_grad():
                original.copy_(new.to(original.dtype))
    elif isinstance(original, np.random.Generator) and isinstance(new, np.random.Generator):
        original.bit_generator.state = new.bit_generator.state


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


def split_test(source: str) -> list[tuple[bool, str]]:
    """A test cell as (hidden?, code) chunks, each compilable on its own, else one hidden chunk."""
    chunks: list[tuple[bool, str]] = []
    rest, hidden = source, False
    while rest:
        marker = HIDDEN_END if hidden else HIDDEN_BEGIN
        head, sep, rest = rest.partition(marker)
        chunks.append((hidden, head))
        if not sep:
            break
        hidden = not hidden
    try:
        for _, code in chunks:
            compile(code, "<test>", "exec")
    except SyntaxError:
        return [(True, source)]
    return [(h, c) for h, c in chunks if c.strip()]


def free_names(source: str) -> list[str]:
    """Global names a cell uses that it does not import or define (the student's names it may use).

    >>> free_names("import numpy as np; x = f(np.ones(2)); g = lambda v: h(v)")
    ['x', 'g', 'f', 'h']
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    bound, used = set(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            used.append(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    seen: list[str] = []
    for name in used:
        if name not in bound and not hasattr(builtins, name) and name not in seen:
            seen.append(name)
    return seen


FORWARD = "__course_forward__"


class _ForwardAssignments(ast.NodeTransformer):
    """After each statement that rebinds one of ``names``, send the new value to the worker, so
    that a test's ``sample_next = _scripted_sampler`` is what the student's ``generate`` sees."""

    def __init__(self, names: set[str]) -> None:
        self.names = names

    def _rebinds(self, stmt: ast.stmt) -> list[str]:
        if isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            return sorted(
                {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name) and n.id in self.names}
            )
        return []

    def _body(self, body: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for stmt in body:
            out.append(self.visit(stmt))
            names = self._rebinds(stmt)
            if names:
                call = ast.parse(f"{FORWARD}({{{', '.join(f'{n!r}: {n}' for n in names)}}})").body[0]
                out.append(ast.copy_location(call, stmt))
        return out

    def generic_visit(self, node: ast.AST) -> ast.AST:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            return node  # a local of a function is not the student's global
        for field_name in ("body", "orelse", "finalbody"):
            if isinstance(getattr(node, field_name, None), list):
                setattr(node, field_name, self._body(getattr(node, field_name)))
        for handler in getattr(node, "handlers", []) or []:
            handler.body = self._body(handler.body)
        return node


def compile_test(code: str, filename: str, forwarded: set[str]) -> Any:
    tree = ast.parse(code, filename)
    if forwarded:
        tree = _ForwardAssignments(forwarded).visit(tree)
        ast.fix_missing_locations(tree)
    return compile(tree, filename, "exec")


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
        reply = self.worker.endpoint.last_reply
        changed = reply.get("mutated") or []
        for kind, key, encoded in changed[:64]:
            new = self.codec.decode(encoded, reply["_blobs"])
            original = (
                args[key]
                if kind == "a" and isinstance(key, int) and key < len(args)
                else kwargs.get(key)
                if kind == "k"
                else None
            )
            if original is not None:
                _restore_mutated(original, new)
        return result

    def serve_lent(self, op: str, p: dict[str, Any], header: dict[str, Any]) -> Any:
        """The worker asks about an object the judge lent it: calls and public reads only."""
        target = p.get("target")
        name = str(p.get("name", ""))
        if op == "getattr":
            if name.startswith("_") or name in MUTATORS:
                raise AttributeError(f"the grader's object does not give its {name!r} to student code")
            return getattr(target, name)
        if op == "call":
            if getattr(target, "__name__", "") in MUTATORS:
                raise PermissionError("student code may not change the grader's objects")
            return target(*p.get("args", []), **p.get("kwargs", {}))
        if op == "getitem":
            return target[p["key"]]
        if op == "len":
            return len(target)
        if op == "iter":
            return iter(target)
        if op == "next":
            return next(target)
        if op == "repr":
            return repr(target)[:2000]
        raise PermissionError(f"operation {op!r} on the grader's objects is not allowed")

    def start_worker(self) -> None:
        self.stop_worker()
        self.worker = WorkerProcess(self.limits, sandboxed=self.sandboxed, slot=self.slot, judge=self)
        self.worker.endpoint.deadline = time.monotonic() + 60
        if self.blocked:
            self.ask("block", functions=self.blocked)

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
                    with contextlib.redirect_stdout(sink), _alarm(deadline):
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
            record.status = _failure_status(exc, hidden_failed)
        if in_sandbox:
            record.status += " (judged inside the sandbox)"
        text, chars = self._take_output()
        record.hidden_output_chars = chars
        record.output = shown.getvalue()[:20_000]
        return record

    ns: dict[str, Any] = {}

    def reset_namespace(self) -> None:
        self.ns = {"__name__": "__main__", "__builtins__": builtins}


@contextlib.contextmanager
def _alarm(deadline: float) -> Any:
    """Raise :class:`Deadline` in the judge when its own test code runs past ``deadline``."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise Deadline()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, max(0.01, deadline - time.monotonic() + 1.0))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _failure_status(exc: BaseException, hidden: bool) -> str:
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    kind = exc.type_name if isinstance(exc, StudentError) else type(exc).__name__
    if not hidden:
        return one_line(f"failed: {kind}: {message}" if message else f"failed: {kind}")
    from_student = isinstance(exc, StudentError) or getattr(exc, "from_student", False)
    if isinstance(exc, AssertionError) and not from_student:
        return one_line("failed: hidden check: " + describe_hidden(message))
    if from_student:
        return one_line(
            f"failed: hidden check: your code raised {kind}" + (f": {message}" if message else "")
        )
    return one_line(f"failed: hidden check: {kind} while checking your result")


def describe_hidden(message: str) -> str:
    """Which hidden check failed, in words, without the values it compared.

    >>> describe_hidden("dWh (against PyTorch autograd) differs from the expected value at 3 of 9 ...")
    'dWh (against PyTorch autograd): wrong values'
    >>> describe_hidden("h: shape (3,), expected (4,)")
    'h: shape (3,), expected (4,)'
    """
    if " differs from the expected value" in message:
        return message.split(" differs from the expected value")[0] + ": wrong values"
    if ": contains NaN" in message:
        return message.split(": contains NaN")[0] + ": contains NaN"
    return message or "an assertion failed"
