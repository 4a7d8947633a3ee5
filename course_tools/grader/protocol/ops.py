"""The operations one side of the grader may ask of the other, in one table.

Every request names an op of :data:`OPS`. Each entry says

- what serves it (``serve(session, **params)``: ``session`` is the worker's student session, or
  ``None`` when the judge answers about an object it lent),
- which side answers (:class:`Side`: the worker about the student's session, or whichever side
  owns the object the request is about),
- whether student code may use it on an object the judge lent (``lent``), and what the judge
  refuses even then (``guard``),
- which method of a proxy sends it (``dunder``, with the names its arguments travel under).

Three readers: the worker's dispatcher (:mod:`course_tools.grader.worker.worker`), the judge's
dispatcher for lent objects (:func:`course_tools.grader.judge.remote.serve_lent`) and the two
proxy classes (:mod:`course_tools.grader.protocol.proxy`), whose methods are made from the table.
Adding an op is one entry here (and, for a session op, the :class:`Session` method it calls).
"""

from __future__ import annotations

import types
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol

from course_tools.grader.protocol import mutation
from course_tools.grader.protocol.limits import REPR_CHARS
from course_tools.grader.protocol.rpc import Reply


class Side(str, Enum):
    """Who answers an op."""

    WORKER = "worker"  # about the student's session: the judge asks, the worker answers
    OWNER = "owner"  # about one object (``target``): the side that owns it answers


class Session(Protocol):
    """What the worker's student session offers the ops (``worker/session.py``'s ``Session``)."""

    namespace: dict[str, Any]

    def run_cell(self, source: str) -> dict[str, Any] | None: ...

    def block(self, functions: list[list[str]]) -> None: ...

    def arm_probes(self) -> None: ...

    def run_probe(self, name: str, target: Any, args: list[Any]) -> Any: ...


# methods of a lent (grader-owned) object that a student's code may not call or read: they would
# change the grader's own model, tensors or generators
MUTATORS = frozenset(
    {
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
)


# -- the student's session (the worker answers) ----------------------------------------------
def _exec(session: Session, source: Any) -> Any:
    return session.run_cell(str(source))


def _block(session: Session, functions: list[list[str]]) -> None:
    session.block(functions)


def _arm(session: Session) -> None:
    session.arm_probes()


def _lookup(session: Session, name: Any) -> Any:
    name = str(name)
    if name not in session.namespace:
        raise NameError(name)
    value = session.namespace[name]
    return None if isinstance(value, types.ModuleType) else value


def _setnames(session: Session, values: Any) -> None:
    for name, value in dict(values).items():
        session.namespace[str(name)] = value


def _has(session: Session, names: list[Any]) -> list[Any]:
    ns = session.namespace
    return [n for n in names if n in ns and not isinstance(ns[n], types.ModuleType)]


def _probe(session: Session, target: Any, name: Any, args: Any = ()) -> Any:
    return session.run_probe(str(name), target, list(args))


# -- one object (its owner answers) ----------------------------------------------------------
def _call(session: Session | None, target: Any, args: Any = (), kwargs: Any = None) -> Reply:
    """Call ``target``; the reply also carries the arguments it changed in place."""
    args, kwargs = list(args), dict(kwargs or {})
    before = mutation.snapshots(args, kwargs)
    result = target(*args, **kwargs)
    return Reply(result, lambda codec, blobs: mutation.changed(before, args, kwargs, codec, blobs))


def _setattr(session: Session | None, target: Any, name: Any, value: Any) -> None:
    setattr(target, str(name), value)


def _setitem(session: Session | None, target: Any, key: Any, value: Any) -> None:
    target[key] = value


def _array(session: Session | None, target: Any) -> Any:
    import numpy as np

    return np.asarray(target)


# -- what the judge refuses to student code, on an object it lent ----------------------------
def _guard_getattr(params: dict[str, Any]) -> None:
    name = str(params.get("name", ""))
    if name.startswith("_") or name in MUTATORS:
        raise AttributeError(f"the grader's object does not give its {name!r} to student code")


def _guard_call(params: dict[str, Any]) -> None:
    if getattr(params.get("target"), "__name__", "") in MUTATORS:
        raise PermissionError("student code may not change the grader's objects")


# -- proxy methods that are more than "send my arguments" ------------------------------------
def _send_call(proxy: Any, *args: Any, **kwargs: Any) -> Any:
    return proxy._send("call", args=list(args), kwargs=kwargs)


def _send_getattr(proxy: Any, name: str) -> Any:
    if proxy._answers_itself(name):
        raise AttributeError(name)
    return proxy._send("getattr", name=name)


def _send_probe(proxy: Any, name: str, *args: Any) -> Any:
    """Run the probe ``course_lib.gradient_probes.<name>`` on this object where it lives."""
    return proxy._send("probe", name=name, args=list(args))


def _send_array(proxy: Any, dtype: Any = None, copy: Any = None) -> Any:
    import numpy as np

    array = np.asarray(proxy._send("array"))
    return array.astype(dtype) if dtype is not None else array


@dataclass(frozen=True)
class Op:
    """One operation: who serves it and how, and the proxy method that sends it."""

    name: str
    side: Side
    serve: Callable[..., Any]  # serve(session, **params)
    lent: bool = False  # may student code ask it of an object the judge lent?
    guard: Callable[[dict[str, Any]], None] | None = None  # the judge's refusal, on a lent object
    dunder: str | None = None  # the proxy method that sends it
    sends: tuple[str, ...] = ()  # that method's arguments, sent as these parameters
    result: Callable[[Any], Any] | None = None  # what the proxy makes of the answer
    method: Callable[..., Any] | None = None  # the proxy method itself, when ``sends`` cannot say it

    def proxy_method(self) -> Callable[..., Any]:
        """The proxy method that sends this op."""
        if self.method is not None:
            return self.method
        name, sends, result = self.name, self.sends, self.result

        def method(proxy: Any, *args: Any) -> Any:
            value = proxy._send(name, **dict(zip(sends, args, strict=True)))
            return value if result is None else result(value)

        method.__name__ = str(self.dunder)
        return method


def _table(*ops: Op) -> dict[str, Op]:
    return {op.name: op for op in ops}


OPS = _table(
    Op("exec", Side.WORKER, _exec),  # run a student cell; its error as data, or None
    Op("block", Side.WORKER, _block),  # block course_lib references for the worker's life
    Op("arm", Side.WORKER, _arm),  # import the gradient probes before student code
    Op("lookup", Side.WORKER, _lookup),  # a student's global by name
    Op("setnames", Side.WORKER, _setnames),  # a test rebinds a student's names
    Op("has", Side.WORKER, _has),  # which of these names the student defined
    Op("probe", Side.WORKER, _probe, dunder="__course_probe__", method=_send_probe),
    Op("call", Side.OWNER, _call, lent=True, guard=_guard_call, dunder="__call__", method=_send_call),
    Op(
        "getattr",
        Side.OWNER,
        lambda s, target, name: getattr(target, str(name)),
        lent=True,
        guard=_guard_getattr,
        dunder="__getattr__",
        method=_send_getattr,
    ),
    Op("setattr", Side.OWNER, _setattr, dunder="__setattr__", sends=("name", "value")),
    Op(
        "getitem",
        Side.OWNER,
        lambda s, target, key: target[key],
        lent=True,
        dunder="__getitem__",
        sends=("key",),
    ),
    Op("setitem", Side.OWNER, _setitem, dunder="__setitem__", sends=("key", "value")),
    Op("len", Side.OWNER, lambda s, target: len(target), lent=True, dunder="__len__", result=int),
    Op("iter", Side.OWNER, lambda s, target: iter(target), lent=True, dunder="__iter__"),
    Op("next", Side.OWNER, lambda s, target: next(target), lent=True, dunder="__next__"),
    Op(
        "repr",
        Side.OWNER,
        lambda s, target: repr(target)[:REPR_CHARS],
        lent=True,
        dunder="__repr__",
        result=lambda v: str(v)[:REPR_CHARS],
    ),
    Op("bool", Side.OWNER, lambda s, target: bool(target), dunder="__bool__", result=bool),
    Op("array", Side.OWNER, _array, dunder="__array__", method=_send_array),
)
