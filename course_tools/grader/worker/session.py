"""One student's session inside the worker: their notebook's namespace and what runs in it.

The cells run as in a kernel (the last expression's value is printed; IPython magics become
``pass``), print into a bounded buffer, and see the ``course_lib`` references the tests block
refuse to run. The gradient probes are remembered before the first student cell so that a probe
can refuse to run once the notebook replaced it. The ops of
:mod:`course_tools.grader.protocol.ops` call the methods of :class:`Session`.
"""

from __future__ import annotations

import ast
import builtins
import re
import sys
import traceback
import types
from typing import Any

from course_tools.grader.protocol.errors import ErrorInfo
from course_tools.grader.protocol.limits import MAGIC_CHARS, MAX_OUTPUT_CHARS, TRACEBACK_CHARS

MAGIC_LINE = re.compile(r"^(\s*)([%!].*)$", re.MULTILINE)
SHOWN_FRAMES = 3  # of a failed cell's traceback, the innermost frames in the student's cells


class BoundedText:
    """A text stream that keeps the first characters written and counts the rest."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.kept = 0
        self.dropped = 0

    def write(self, text: Any) -> int:
        text = str(text)
        room = MAX_OUTPUT_CHARS - self.kept
        if room > 0:
            self.parts.append(text[:room])
            self.kept += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def take(self) -> dict[str, Any]:
        """What was written since the last call, as reply fields: ``out`` (kept) and ``dropped``."""
        text, dropped = "".join(self.parts), self.dropped
        self.parts, self.kept, self.dropped = [], 0, 0
        return {"out": text, "dropped": dropped}


def strip_magics(source: str) -> str:
    """IPython magics and shell escapes become ``pass`` (a ``%%`` cell magic skips the cell).

    >>> strip_magics("%matplotlib inline\\nx = 1")
    "pass  # '%matplotlib inline' ignored by the grader\\nx = 1"
    """
    if source.lstrip().startswith("%%"):
        return ""
    return MAGIC_LINE.sub(
        lambda m: f"{m.group(1)}pass  # {m.group(2)[:MAGIC_CHARS]!r} ignored by the grader", source
    )


class Blocker:
    """course_lib reference functions that must refuse to run, blocked as soon as imported."""

    def __init__(self) -> None:
        self.wanted: set[tuple[str, str]] = set()

    def add(self, pairs: list[list[str]]) -> None:
        self.wanted |= {(str(m), str(q)) for m, q in pairs}
        self.apply()

    def apply(self) -> None:
        if not self.wanted:
            return
        from course_lib.grading import _refuse

        for module_name, qualname in self.wanted:
            module = sys.modules.get(module_name)
            if module is None:
                continue
            target: Any = module
            for part in qualname.split("."):
                target = getattr(target, part, None)
            if isinstance(target, types.FunctionType) and not target.__code__.co_freevars:
                target.__code__ = _refuse.__code__


class Probes:
    """:mod:`course_lib.gradient_probes`, imported before the student's first cell.

    What a probe returns is data the judge compares with its own oracle, so a forged gradient
    must be the right one. Still, a probe refuses to run when the notebook's code has replaced
    it, its helpers or the torch functions it uses (``gradient_probes.watched()``) since they
    were loaded (a swapped function or a swapped ``__code__``), checked before and after the
    student's code runs inside it.
    """

    def __init__(self) -> None:
        self.watched: list[tuple[Any, str, Any, Any]] = []  # (owner, attribute, object, code)
        self.module: Any = None

    def arm(self) -> None:
        import course_lib.gradient_probes as probes

        self.module = probes
        for owner, name in probes.watched():  # read before any student code has run
            obj = getattr(owner, name)
            self.watched.append((owner, name, obj, getattr(obj, "__code__", None)))

    def _check(self) -> None:
        for owner, name, obj, code in self.watched:
            now = getattr(owner, name, None)
            if now is not obj or getattr(now, "__code__", None) is not code:
                raise RuntimeError(f"the grader's gradient probe cannot run: the notebook replaced {name}")

    def run(self, name: str, target: Any, args: list[Any]) -> Any:
        if self.module is None:
            self.arm()
        if name not in self.module.PROBES:
            raise ValueError(f"unknown probe {name!r}")
        self._check()
        result = getattr(self.module, name)(target, *args)
        self._check()
        return result


class Session:
    """The student's notebook as it runs: its namespace, what it printed, what is blocked."""

    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
        self.output = BoundedText()
        self.blocker = Blocker()
        self.probes = Probes()
        self.cell = 0

    def run_cell(self, source: str) -> dict[str, Any] | None:
        """Execute one cell like a notebook would; the error (if any) as data."""
        self.cell += 1
        filename = f"<cell {self.cell}>"
        self.blocker.apply()
        try:
            tree = ast.parse(strip_magics(source), filename)
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            exec(compile(tree, filename, "exec"), self.namespace)
            if isinstance(last, ast.Expr):
                value = eval(compile(ast.Expression(last.value), filename, "eval"), self.namespace)
                if value is not None:
                    print(repr(value)[:MAX_OUTPUT_CHARS])
        except BaseException as exc:  # student code: anything, SystemExit included
            frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith("<cell")]
            where = "".join(traceback.format_list(frames[-SHOWN_FRAMES:]))[-TRACEBACK_CHARS:]
            info = ErrorInfo.of(exc)
            return ErrorInfo(info.type_name, info.builtin, info.message, where).to_wire()
        return None

    def block(self, functions: list[list[str]]) -> None:
        self.blocker.add(functions)

    def arm_probes(self) -> None:
        self.probes.arm()

    def run_probe(self, name: str, target: Any, args: list[Any]) -> Any:
        return self.probes.run(name, target, args)
