"""Objects that live in the other process, seen from the judge: its proxies for the student's
objects, and what the student's code may do with the objects a test lends it.

A student's function, model or cache crosses to the judge as a handle; :class:`Remote` forwards
calls, attribute reads and writes, item access, ``len``, iteration, ``np.asarray`` and the
gradient probes to the worker: every op of :mod:`course_tools.grader.protocol.ops` that has a
proxy method. Its ``__class__`` is the first trusted class of the student's MRO, so
``isinstance(model, nn.Module)`` holds.

The other way, :func:`serve_lent` answers the worker about the judge's objects (a model a test
passes to ``generate``): the ops the table marks ``lent``, after the table's guard (public
reads, and calls, never a method that would change them).
"""

from __future__ import annotations

from typing import Any

from course_tools.grader.protocol.ops import OPS
from course_tools.grader.protocol.proxy import Proxy
from course_tools.grader.protocol.rpc import Request, caller_grad_mode


class Remote(Proxy, forwards=lambda op: op.dunder is not None):
    """The judge's view of an object that lives in the worker (a student's function, model...)."""

    __slots__ = ()


def serve_lent(request: Request) -> Any:
    """The worker asks about an object the judge lent it: only what the op table allows."""
    op = OPS.get(request.op)
    if op is None or not op.lent:
        raise PermissionError(f"operation {request.op!r} on the grader's objects is not allowed")
    if op.guard is not None:
        op.guard(request.params)
    with caller_grad_mode(request):  # the student's torch.no_grad() reaches the lent model
        return op.serve(None, **request.params)
