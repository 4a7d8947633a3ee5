"""Exceptions as data: what crosses when code on the other side raised.

The side that ran the code sends an :class:`ErrorInfo` (class name, the builtin classes of its
MRO, message); the judge rebuilds it as the nearest *safe* builtin exception
(:func:`rebuild_error`), never ``SystemExit`` or ``KeyboardInterrupt``, marked as the student's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from course_tools.grader.protocol.limits import ERROR_MESSAGE_CHARS


@dataclass(frozen=True)
class ErrorInfo:
    """An exception as data: its class name, the builtin classes of its MRO, its message, and for
    a student cell where it happened. What crosses when code on the other side raised."""

    type_name: str
    builtin: list[str]
    message: str
    where: str = ""  # the student cell's last frames (a failed cell only)

    @classmethod
    def of(cls, exc: BaseException) -> ErrorInfo:
        import builtins

        names = [
            c.__name__
            for c in type(exc).__mro__
            if getattr(builtins, c.__name__, None) is c and issubclass(c, BaseException)
        ]
        try:
            message = str(exc)
        except Exception:  # a student's __str__ may raise
            message = "<unprintable>"
        return cls(type(exc).__name__, names, message[:ERROR_MESSAGE_CHARS])

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {"type": self.type_name, "builtin": self.builtin, "message": self.message}
        return {**wire, "where": self.where} if self.where else wire

    @classmethod
    def from_wire(cls, value: Any) -> ErrorInfo:
        """Read what the other side sent (which may be anything)."""
        info = value if isinstance(value, dict) else {}
        builtin = info.get("builtin")
        return cls(
            str(info.get("type", "Error")),
            [str(n) for n in builtin] if isinstance(builtin, list) else [],
            str(info.get("message", "")),
            str(info.get("where") or ""),
        )


class StudentError(Exception):
    """An exception raised by the student's code in the worker, re-raised in the judge."""

    def __init__(self, type_name: str, message: str) -> None:
        super().__init__(f"{type_name}: {message}" if message else type_name)
        self.type_name = type_name


SAFE_EXCEPTIONS = {
    "ValueError",
    "TypeError",
    "KeyError",
    "IndexError",
    "AttributeError",
    "AssertionError",
    "NotImplementedError",
    "RuntimeError",
    "ZeroDivisionError",
    "ArithmeticError",
    "OverflowError",
    "FloatingPointError",
    "LookupError",
    "NameError",
    "StopIteration",
    "RecursionError",
    "MemoryError",
    "UnboundLocalError",
    "OSError",
}


def rebuild_error(info: ErrorInfo) -> Exception:
    """The judge-side exception for a worker error: the nearest safe builtin class, never
    ``SystemExit``/``KeyboardInterrupt`` (a student's exit must not stop the judge)."""
    import builtins

    type_name, message = info.type_name, info.message
    for name in info.builtin:
        if name in SAFE_EXCEPTIONS:
            cls: type[Exception] = getattr(builtins, name)
            exc = cls(message if type_name == name or cls is KeyError else f"{type_name}: {message}")
            exc.from_student = True  # type: ignore[attr-defined]  # read by cells.failure_status
            return exc
    return StudentError(type_name, message)
