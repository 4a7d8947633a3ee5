"""Objects that live in the other process: the judge's proxies for the student's objects, and
what the student's code may do with the objects a test lends it.

A student's function, model or cache crosses to the judge as a handle; :class:`Remote` forwards
calls, attribute reads and writes, item access, ``len``, iteration and ``np.asarray`` to the
worker, and a probe (:mod:`course_lib.gradient_probes`) to run there. Its ``__class__`` is the
first trusted class of the student's MRO, so ``isinstance(model, nn.Module)`` holds.

The other way, :func:`serve_lent` answers the worker about the judge's objects (a model a test
passes to ``generate``): calls and public reads only, never a method that would change them.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from course_tools.grader.protocol import mutation
from course_tools.grader.protocol.rpc import Reply, caller_grad_mode

if TYPE_CHECKING:
    from course_tools.grader.judge.judge import Judge

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


class Remote:
    """The judge's view of an object that lives in the worker (a student's function, model...)."""

    __slots__ = ("_judge", "_number", "_type", "_callable", "_class")

    def __init__(self, judge: Judge, number: int, meta: dict[str, Any]) -> None:
        object.__setattr__(self, "_judge", judge)
        object.__setattr__(self, "_number", number)
        object.__setattr__(self, "_type", str(meta.get("type", "object"))[:80])
        object.__setattr__(self, "_callable", bool(meta.get("callable")))
        object.__setattr__(self, "_class", trusted_class(meta.get("mro")))

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # isinstance(model, nn.Module) for a student's nn.Module subclass
        return object.__getattribute__(self, "_class")

    def _ask(self, op: str, **params: Any) -> Any:
        return self._judge.ask(op, target=self, **params)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._judge.call(self, list(args), kwargs)

    def __course_probe__(self, name: str, *args: Any) -> Any:
        """Run the probe ``course_lib.gradient_probes.<name>`` on this object in the worker."""
        return self._ask("probe", name=name, args=list(args))

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


def trusted_class(mro: Any, default: type | None = None) -> type:
    """The first class of a student object's MRO that a trusted, already imported module defines
    (``torch.nn.Module`` for a student's model), else ``default`` (:class:`Remote`). The worker
    uses it too, for the objects a test lends (``isinstance(model, nn.Module)`` in ``generate``)."""
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
    return default or Remote


def serve_lent(op: str, p: dict[str, Any], header: dict[str, Any]) -> Any:
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
        args, kwargs = list(p.get("args", [])), dict(p.get("kwargs", {}))
        before = mutation.snapshots(args, kwargs)
        with caller_grad_mode(header):  # the student's torch.no_grad() reaches the lent model
            result = target(*args, **kwargs)
        return Reply(result, lambda codec, blobs: mutation.changed(before, args, kwargs, codec, blobs))
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
