"""Proxies: this side's stand-in for an object that lives in the other process.

An object that is not data crosses the wire as a numbered handle
(:class:`~course_tools.grader.protocol.wire.HandleInfo`); the receiving side builds a
:class:`Proxy` for it. A proxy's methods (``__call__``,
``__getitem__``, ``__len__``...) are made from the op table (:mod:`course_tools.grader.protocol.ops`): each
sends its op to the object's owner over a *channel* (anything with ``request(op, **params)``).
Its ``__class__`` is the first trusted class of the object's MRO, so ``isinstance(model,
nn.Module)`` holds for a student's model in the judge and for a test's model in the worker.

Two kinds, one per side: the judge's ``Remote`` (every op a proxy can send) and the worker's
``JudgeObject`` (only the ops student code may use on an object a test lent it).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, Protocol

from course_tools.grader.protocol.ops import OPS, Op
from course_tools.grader.protocol.wire import HandleInfo

TRUSTED_MODULES = ("torch", "numpy", "collections", "course_lib")


class Channel(Protocol):
    """Where a proxy sends its requests: the judge, or the worker's endpoint."""

    def request(self, op: str, **params: Any) -> Any: ...


def trusted_class(mro: list[tuple[str, str]], default: type) -> type:
    """The first class of an object's MRO (``[(module, qualname), ...]``) that a trusted, already
    imported module defines (``torch.nn.Module`` for a student's model), else ``default``."""
    for module_name, qualname in mro:
        if module_name.split(".")[0] not in TRUSTED_MODULES or module_name not in sys.modules:
            continue
        target: Any = sys.modules[module_name]
        for part in qualname.split("."):
            target = getattr(target, part, None)
        if isinstance(target, type) and target is not object:
            return target
    return default


class Proxy:
    """An object of the other process. Subclasses say which ops they send (``forwards``)."""

    __slots__ = ("_channel", "_info", "_class")

    def __init_subclass__(cls, forwards: Callable[[Op], bool] | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if forwards is None:
            return
        for op in OPS.values():
            if op.dunder is not None and forwards(op) and op.dunder not in cls.__dict__:
                setattr(cls, op.dunder, op.proxy_method())

    def __init__(self, channel: Channel, info: HandleInfo) -> None:
        object.__setattr__(self, "_channel", channel)
        object.__setattr__(self, "_info", info)
        object.__setattr__(self, "_class", trusted_class(info.mro, default=type(self)))

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # isinstance(model, nn.Module) for a model that lives elsewhere
        return object.__getattribute__(self, "_class")

    def _send(self, op: str, **params: Any) -> Any:
        return object.__getattribute__(self, "_channel").request(op, target=self, **params)

    def _answers_itself(self, name: str) -> bool:
        """Whether ``getattr(proxy, name)`` fails here, without asking the owner."""
        return name.startswith("__") and name.endswith("__")


def number_of(value: Any, kind: type[Proxy], channel: Channel) -> int | None:
    """The handle number of ``value`` if it is a ``kind`` proxy over ``channel``, else ``None``."""
    if type(value) is kind and object.__getattribute__(value, "_channel") is channel:
        return object.__getattribute__(value, "_info").number
    return None
