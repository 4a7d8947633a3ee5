"""The untrusted side of grading: runs one student's cells inside the sandbox.

Started by the judge as ``python -I -m course_tools.grader.worker.worker`` with the judge's requests on fd 3
and replies on fd 4. It first drops to the unprivileged uid it is given and sets its resource
limits, then runs cells and answers the judge: look up a name, call a function, read an
attribute... Nothing it sends is trusted: the judge decides every score itself.
"""

from __future__ import annotations

import ast
import builtins
import json
import os
import re
import sys
import traceback
import types
from typing import Any

MAX_OUTPUT_CHARS = 20_000  # kept per reply; the rest is counted, not stored
MAGIC_LINE = re.compile(r"^(\s*)([%!].*)$", re.MULTILINE)


def _drop_privileges() -> None:
    uid = int(os.environ.pop("COURSE_WORKER_UID", "-1"))
    if uid > 0 and os.getuid() == 0:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)


def _set_limits() -> None:
    import resource

    limits = json.loads(os.environ.pop("COURSE_WORKER_LIMITS", "{}"))
    for name, value in limits.items():
        which = getattr(resource, f"RLIMIT_{name.upper()}")
        resource.setrlimit(which, (int(value), int(value)))


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
        text, dropped = "".join(self.parts), self.dropped
        self.parts, self.kept, self.dropped = [], 0, 0
        return {"out": text, "dropped": dropped}


def strip_magics(source: str) -> str:
    """IPython magics and shell escapes become ``pass`` (a ``%%`` cell magic skips the cell)."""
    if source.lstrip().startswith("%%"):
        return ""
    return MAGIC_LINE.sub(lambda m: f"{m.group(1)}pass  # {m.group(2)[:40]!r} ignored by the grader", source)


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


class Worker:
    def __init__(self) -> None:
        self.ns: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
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
            exec(compile(tree, filename, "exec"), self.ns)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), filename, "eval"), self.ns)
                if value is not None:
                    print(repr(value)[:MAX_OUTPUT_CHARS])
        except BaseException as exc:  # student code: anything, SystemExit included
            from course_tools.grader.protocol.wire import error_info

            info = error_info(exc)
            frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith("<cell")]
            info["where"] = "".join(traceback.format_list(frames[-3:]))[-2000:]
            return info
        return None


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


def main() -> int:
    _drop_privileges()
    _set_limits()
    real_out = os.dup(1)
    os.environ.setdefault("MPLBACKEND", "Agg")
    from course_tools.grader.protocol import mutation
    from course_tools.grader.judge.remote import trusted_class
    from course_tools.grader.protocol.rpc import Endpoint, Reply, grad_header
    from course_tools.grader.protocol.wire import Codec, HandleTable

    worker = Worker()
    sys.stdout = sys.stderr = worker.output  # type: ignore[assignment]
    table = HandleTable()
    endpoint: Endpoint

    class JudgeObject:
        """An object the judge lent us (for example a model a test passes to ``generate``)."""

        __slots__ = ("_number", "_meta", "_class")

        def __init__(self, number: int, meta: dict[str, Any]) -> None:
            object.__setattr__(self, "_number", number)
            object.__setattr__(self, "_meta", meta)
            object.__setattr__(self, "_class", trusted_class(meta.get("mro"), default=JudgeObject))

        @property  # type: ignore[misc]
        def __class__(self) -> type:  # isinstance(model, nn.Module) for the test's model
            return object.__getattribute__(self, "_class")

        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            result = endpoint.request("call", target=self, args=list(args), kwargs=kwargs)
            mutation.write_back(endpoint.last_reply, codec, list(args), kwargs)  # a generator it drew from
            return result

        def __getattr__(self, name: str) -> Any:
            if name.startswith("_"):
                raise AttributeError(name)
            return endpoint.request("getattr", target=self, name=name)

        def __getitem__(self, key: Any) -> Any:
            return endpoint.request("getitem", target=self, key=key)

        def __len__(self) -> int:
            return int(endpoint.request("len", target=self))

        def __iter__(self) -> Any:
            return endpoint.request("iter", target=self)

        def __next__(self) -> Any:
            return endpoint.request("next", target=self)

        def __repr__(self) -> str:
            return f"<grader's {self._meta.get('type', 'object')}>"

    def is_judge_object(value: Any) -> int | None:
        return object.__getattribute__(value, "_number") if type(value) is JudgeObject else None

    codec = Codec(table, JudgeObject, is_judge_object, lambda value: False)

    def serve(op: str, p: dict[str, Any], header: dict[str, Any]) -> Any:
        if "torch" in sys.modules and "grad" in header:
            sys.modules["torch"].set_grad_enabled(bool(header["grad"]))
        worker.blocker.apply()
        if op == "exec":
            return worker.run_cell(str(p["source"]))
        if op == "block":
            worker.blocker.add(p["functions"])
            return None
        if op == "arm":
            worker.probes.arm()
            return None
        if op == "lookup":
            name = str(p["name"])
            if name not in worker.ns:
                raise NameError(name)
            value = worker.ns[name]
            return None if isinstance(value, types.ModuleType) else value
        if op == "setnames":
            for name, value in dict(p["values"]).items():
                worker.ns[str(name)] = value
            return None
        if op == "has":
            return [
                n for n in p["names"] if n in worker.ns and not isinstance(worker.ns[n], types.ModuleType)
            ]
        target = p.get("target")
        if op == "call":
            args, kwargs = list(p.get("args", [])), dict(p.get("kwargs", {}))
            before = mutation.snapshots(args, kwargs)
            result = target(*args, **kwargs)
            return Reply(result, lambda codec, blobs: mutation.changed(before, args, kwargs, codec, blobs))
        if op == "probe":
            return worker.probes.run(str(p["name"]), target, list(p.get("args", [])))
        if op == "getattr":
            return getattr(target, str(p["name"]))
        if op == "setattr":
            setattr(target, str(p["name"]), p["value"])
            return None
        if op == "getitem":
            return target[p["key"]]
        if op == "setitem":
            target[p["key"]] = p["value"]
            return None
        if op == "len":
            return len(target)
        if op == "iter":
            return iter(target)
        if op == "next":
            return next(target)
        if op == "repr":
            return repr(target)[:2000]
        if op == "bool":
            return bool(target)
        if op == "array":
            import numpy as np

            return np.asarray(target)
        raise ValueError(f"unknown operation {op!r}")

    endpoint = Endpoint(3, 4, codec, serve)
    endpoint.owner_pid = os.getpid()
    endpoint.extra_header = lambda: {**worker.output.take(), **grad_header()}
    os.close(real_out)
    try:
        endpoint.serve_forever()
    except Exception as exc:  # the judge closed the pipe (normal end) or sent garbage
        os.write(2, f"worker: {type(exc).__name__}: {exc}\n".encode())
        return 0
    return 0


if __name__ == "__main__":
    os._exit(main())
