"""The untrusted side of grading: runs one student's cells inside the sandbox.

Started by the judge as ``python -I -m course_tools.grader.worker.worker`` with the judge's
requests on fd 3 and replies on fd 4. It first drops to the unprivileged uid it is given and
sets its resource limits, then answers the judge's requests (the ops of
:mod:`course_tools.grader.protocol.ops`: run a cell, look up a name, call a function, read an
attribute...) from the student's :class:`~course_tools.grader.worker.session.Session`. Nothing
it sends is trusted: the judge decides every score itself. It imports only the grader's
protocol and ``course_lib``, never the judge.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from course_tools.grader.protocol.ops import OPS
from course_tools.grader.protocol.proxy import Proxy, number_of
from course_tools.grader.protocol.rpc import Endpoint, Request, grad_header
from course_tools.grader.protocol.wire import Codec, HandleTable
from course_tools.grader.worker.session import Session

REQUESTS_FD, REPLIES_FD = 3, 4  # the pipes the judge passes


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


class JudgeObject(Proxy, forwards=lambda op: op.lent):
    """An object the judge lent the student's code (a model a test passes to ``generate``): it
    can be called and read, with the ops the table allows on lent objects, never changed."""

    __slots__ = ()

    def _answers_itself(self, name: str) -> bool:
        return name.startswith("_")

    def __repr__(self) -> str:
        return f"<grader's {object.__getattribute__(self, '_info').type_name}>"


def serve(session: Session, request: Request) -> Any:
    """Answer one request of the judge from the student's session."""
    if "torch" in sys.modules and request.grad is not None:  # the caller's torch.no_grad()
        sys.modules["torch"].set_grad_enabled(request.grad)
    session.blocker.apply()
    op = OPS.get(request.op)
    if op is None:
        raise ValueError(f"unknown operation {request.op!r}")
    return op.serve(session, **request.params)


def main() -> int:
    _drop_privileges()
    _set_limits()
    real_out = os.dup(1)
    os.environ.setdefault("MPLBACKEND", "Agg")
    session = Session()
    sys.stdout = sys.stderr = session.output  # type: ignore[assignment]
    endpoint: Endpoint
    codec = Codec(
        HandleTable(),
        borrowed=lambda info: JudgeObject(endpoint, info),
        is_proxy=lambda value: number_of(value, JudgeObject, endpoint),
        by_reference=lambda value: False,
    )
    endpoint = Endpoint(REQUESTS_FD, REPLIES_FD, codec, lambda request: serve(session, request))
    endpoint.owner_pid = os.getpid()
    endpoint.extra_header = lambda: {**session.output.take(), **grad_header()}
    os.close(real_out)
    try:
        endpoint.serve_forever()
    except Exception as exc:  # the judge closed the pipe (normal end) or sent garbage
        os.write(2, f"worker: {type(exc).__name__}: {exc}\n".encode())
        return 0
    return 0


if __name__ == "__main__":
    os._exit(main())
