"""One sandboxed worker process, seen from the judge: started, drained, killed, diagnosed.

The worker (:mod:`course_tools.grader.worker.worker`) gets the judge's requests on fd 3 and
answers on fd 4; whatever it writes to fd 1/2 outside the protocol is drained here (the first
``DRAIN_KEEP_CHARS`` characters kept, to say why it died).
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import threading
from collections.abc import Callable
from typing import Any

from course_tools.grader.judge.sandbox import worker_command, worker_env
from course_tools.grader.protocol.limits import DRAIN_KEEP_CHARS, Limits
from course_tools.grader.protocol.rpc import Endpoint, Serve, grad_header
from course_tools.grader.protocol.wire import Codec


class WorkerGone(Exception):
    """The worker died (exit, signal, memory) or broke the protocol."""


class WorkerProcess:
    """One sandboxed worker process and the judge's endpoint to it."""

    def __init__(
        self,
        limits: Limits,
        *,
        sandboxed: bool,
        slot: int | None,
        codec: Codec,
        serve: Serve,
        on_reply: Callable[[dict[str, Any]], None],
    ) -> None:
        """Start the worker; ``serve`` answers its requests, ``on_reply`` sees every reply's fields."""
        to_worker_r, to_worker_w = os.pipe()
        from_worker_r, from_worker_w = os.pipe()
        cmd = worker_command(limits, sandboxed=sandboxed)
        env = worker_env(limits, slot if sandboxed else None)

        def child_fds() -> None:  # runs in the child between fork and exec
            import fcntl

            high_r = fcntl.fcntl(to_worker_r, fcntl.F_DUPFD, 100)
            high_w = fcntl.fcntl(from_worker_w, fcntl.F_DUPFD, 100)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            cwd="/" if sandboxed else _scratch(),
            start_new_session=True,
            pass_fds=(3, 4),
            preexec_fn=child_fds,
        )
        os.close(to_worker_r)
        os.close(from_worker_w)
        self.drained: list[bytes] = []
        self.drained_chars = 0
        threading.Thread(target=self._drain, daemon=True).start()
        self.endpoint = Endpoint(from_worker_r, to_worker_w, codec, serve, on_reply=on_reply)
        self.endpoint.extra_header = grad_header
        self.fds = (from_worker_r, to_worker_w)

    def _drain(self) -> None:
        stdout = self.proc.stdout
        assert isinstance(stdout, io.BufferedReader)  # Popen(stdout=PIPE), unbuffered=False
        for chunk in iter(lambda: stdout.read1(65536), b""):
            if self.drained_chars < DRAIN_KEEP_CHARS:
                self.drained.append(chunk[: DRAIN_KEEP_CHARS - self.drained_chars])
            self.drained_chars += len(chunk)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(Exception):
            self.proc.wait(timeout=10)
        for fd in self.fds:
            with contextlib.suppress(OSError):
                os.close(fd)

    def death(self) -> str:
        """Words for how the worker ended (after it stopped answering)."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=2)
        code = self.proc.poll()
        tail = b"".join(self.drained).decode(errors="replace")
        if code is None:
            return "it broke the grader's protocol"
        if code < 0:
            name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
            return f"it was killed by signal {name}" + (" (memory limit?)" if "MemoryError" in tail else "")
        if "MemoryError" in tail or "Cannot allocate memory" in tail:
            return f"it ran out of memory (exit code {code})"
        return f"it exited with code {code}"


def _scratch() -> str:
    import tempfile

    return tempfile.mkdtemp(prefix="course-worker-")
