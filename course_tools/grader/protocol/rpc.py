"""Request/reply over a pair of pipes, re-entrant in both directions, with deadlines.

Both the judge and the worker hold an :class:`Endpoint`. ``request`` sends one operation and,
while it waits for the reply, serves the peer's requests (a student's function calling a
model the test lent it, which calls back into the student's code, and so on). The judge side
gives every wait a deadline, so a silent or stalled worker costs a timeout, never a hang.
"""

from __future__ import annotations

import contextlib
import os
import select
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from course_tools.grader.protocol import mutation
from course_tools.grader.protocol.errors import ErrorInfo, rebuild_error
from course_tools.grader.protocol.limits import MAX_FRAME_BYTES
from course_tools.grader.protocol.wire import LENGTH, Codec, WireError


class Deadline(Exception):
    """The peer did not answer in time."""


class FdReader:
    """Reads exact byte counts from a raw fd, giving up at a deadline (``None``: wait forever)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.deadline: float | None = None

    def read(self, n: int) -> bytes:
        chunks, got = [], 0
        while got < n:
            if self.deadline is not None:
                left = self.deadline - time.monotonic()
                if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                    raise Deadline()
            chunk = os.read(self.fd, min(n - got, 1 << 20))
            if not chunk:
                raise WireError("connection closed")
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)


def read_frame_fd(reader: FdReader) -> tuple[dict[str, Any], list[bytes]]:
    import io
    import json

    (count,) = LENGTH.unpack(reader.read(8))
    (size,) = LENGTH.unpack(reader.read(8))
    if size > MAX_FRAME_BYTES or count > size:
        raise WireError(f"a message of {size:,} bytes is over the {MAX_FRAME_BYTES:,}-byte limit")
    payload = io.BytesIO(reader.read(size))
    (hlen,) = LENGTH.unpack(payload.read(8))
    try:
        header = json.loads(payload.read(hlen))
    except ValueError as exc:
        raise WireError(f"bad header: {exc}") from None
    blobs = []
    for _ in range(count):
        raw = payload.read(8)
        if len(raw) != 8:
            raise WireError("truncated blob")
        (blen,) = LENGTH.unpack(raw)
        blob = payload.read(blen)
        if len(blob) != blen:
            raise WireError("truncated blob")
        blobs.append(blob)
    if not isinstance(header, dict):
        raise WireError("header is not an object")
    return header, blobs


def write_frame_fd(fd: int, header: dict[str, Any], blobs: list[bytes], deadline: float | None) -> None:
    import json

    head = json.dumps(header, allow_nan=True).encode()
    payload = b"".join([LENGTH.pack(len(head)), head] + [p for b in blobs for p in (LENGTH.pack(len(b)), b)])
    view = memoryview(LENGTH.pack(len(blobs)) + LENGTH.pack(len(payload)) + payload)
    while view:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([], [fd], [], left)[1]:
                raise Deadline()
        try:
            written = os.write(fd, view[: 1 << 16])
        except BrokenPipeError:
            raise WireError("connection closed") from None
        view = view[written:]


@dataclass(frozen=True)
class Request:
    """A request of the peer, its parameters decoded."""

    op: str  # a name of course_tools.grader.protocol.ops.OPS (the serving side checks it)
    params: dict[str, Any]
    grad: bool | None = None  # the caller's autograd mode (None: the caller has not imported torch)

    @classmethod
    def of(cls, header: dict[str, Any], params: dict[str, Any]) -> Request:
        return cls(str(header.get("op")), params, bool(header["grad"]) if "grad" in header else None)


Serve = Callable[[Request], Any]  # returns the value, or a Reply when the reply carries more fields


class Endpoint:
    """One side of the conversation: ``serve`` answers the peer's requests."""

    def __init__(
        self,
        read_fd: int,
        write_fd: int,
        codec: Codec,
        serve: Serve,
        *,
        on_reply: Callable[[dict[str, Any]], None] | None = None,
    ):
        self.reader = FdReader(read_fd)
        self.write_fd = write_fd
        self.codec = codec
        self.serve = serve
        self.on_reply = on_reply
        self.next_id = 0
        self.deadline: float | None = None
        self.extra_header: Callable[[], dict[str, Any]] = dict
        self.owner_pid: int | None = None  # set in the worker: a forked child must not answer

    def _send(self, header: dict[str, Any], blobs: list[bytes]) -> None:
        if self.owner_pid is not None and os.getpid() != self.owner_pid:
            os._exit(0)
        write_frame_fd(self.write_fd, header, blobs, self.deadline)

    def request(self, op: str, **params: Any) -> Any:
        """Send ``op`` and wait for its reply, serving the peer meanwhile. Arguments the callee
        changed in place (``args``, ``kwargs`` of a call) are written back into ours."""
        self.next_id += 1
        rid = self.next_id
        blobs: list[bytes] = []
        encoded = {k: self.codec.encode(v, blobs) for k, v in params.items()}
        self._send({"kind": "req", "id": rid, "op": op, "params": encoded, **self.extra_header()}, blobs)
        while True:
            self.reader.deadline = self.deadline
            header, blobs = read_frame_fd(self.reader)
            if header.get("kind") == "req":
                self._answer(header, blobs)
                continue
            if header.get("kind") != "rep" or header.get("id") != rid:
                raise WireError("reply out of order")
            if self.on_reply is not None:
                self.on_reply(header)
            if not header.get("ok"):
                raise rebuild_error(ErrorInfo.from_wire(header.get("error")))
            value = self.codec.decode(header.get("value"), blobs)
            header["_blobs"] = blobs
            if header.get("mutated"):
                mutation.write_back(header, self.codec, params.get("args") or [], params.get("kwargs") or {})
            return value

    def _answer(self, header: dict[str, Any], blobs: list[bytes]) -> None:
        out: list[bytes] = []
        reply: dict[str, Any] = {"kind": "rep", "id": header.get("id")}
        try:
            params = {k: self.codec.decode(v, blobs) for k, v in dict(header.get("params") or {}).items()}
            result = self.serve(Request.of(header, params))
            extra: dict[str, Any] = {}
            if isinstance(result, Reply):
                result, extra = result.value, result.extra(self.codec, out)
            reply.update(ok=True, value=self.codec.encode(result, out), **extra)
        except (WireError, Deadline):
            raise
        except BaseException as exc:  # the student's code may raise anything, SystemExit included
            out = []
            reply.update(ok=False, error=ErrorInfo.of(exc).to_wire())
        reply.update(self.extra_header())
        self._send(reply, out)

    def serve_forever(self) -> None:
        """The worker's main loop: answer requests until the judge closes the pipe."""
        while True:
            self.reader.deadline = None
            header, blobs = read_frame_fd(self.reader)
            if header.get("kind") == "req":
                self._answer(header, blobs)


class Reply:
    """A served value plus extra reply fields computed with the codec (for mutated arguments)."""

    def __init__(self, value: Any, extra: Callable[[Codec, list[bytes]], dict[str, Any]]) -> None:
        self.value = value
        self.extra = extra


def grad_header() -> dict[str, Any]:
    """This side's autograd mode, sent with each request: the callee runs under the caller's
    ``torch.no_grad()`` (a student's ``generate`` calling a model the test lent it, or a test
    calling a student's function)."""
    torch = sys.modules.get("torch")
    return {"grad": bool(torch.is_grad_enabled())} if torch is not None else {}


def caller_grad_mode(request: Request) -> Any:
    """A context that runs under the grad mode the ``request`` carries (if any)."""
    torch = sys.modules.get("torch")
    if torch is None or request.grad is None:
        return contextlib.nullcontext()
    return torch.set_grad_enabled(request.grad)
