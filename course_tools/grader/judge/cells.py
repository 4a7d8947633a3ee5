"""Test cells as the judge runs them: split into visible and hidden parts, the student's names
they use, assignments forwarded to the worker, and a failure put into words for the student.

Nothing here runs student code; :mod:`course_tools.grader.judge.judge` uses these on the
instructor's test cells.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import signal
import threading
import time
from typing import Any

from course_tools.grader.protocol.errors import StudentError
from course_tools.grader.protocol.records import one_line
from course_tools.grader.protocol.rpc import Deadline

HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


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


@contextlib.contextmanager
def alarm(deadline: float) -> Any:
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


def failure_status(exc: BaseException, hidden: bool) -> str:
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


def uses_probes(source: str) -> bool:
    """Whether a test cell imports :mod:`course_lib.gradient_probes` (the worker then loads the
    probes before the first student cell).

    >>> uses_probes("from course_lib.gradient_probes import input_gradients")
    True
    >>> uses_probes("import torch")
    False
    """
    return "course_lib.gradient_probes" in source
