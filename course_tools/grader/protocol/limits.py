"""Every limit and size of the grader, named once: what a sandbox may use, what crosses between
processes, how much text is kept, how long things may take.

Both sides import it: ``course grade`` and its judges (the defaults of the command line, the
status column, the feedback page) and the sandboxed worker (the output it keeps).
"""

from __future__ import annotations

from dataclasses import dataclass

# -- time (seconds) --------------------------------------------------------------------------
CELL_TIMEOUT = 60.0  # a student cell, or one test cell's checks (--cell-timeout)
NOTEBOOK_TIMEOUT = 600.0  # all cells of one notebook (--notebook-timeout)
WORKER_START_TIMEOUT = 60.0  # a fresh worker's first answers (blocking references, arming probes)
SLOT_BACKSTOP = 120.0  # beyond a judge's own limits, before `course grade` kills an unanswering judge
MAX_RESTARTS = 4  # worker restarts per notebook (each re-runs the cells before the crash)


@dataclass(frozen=True)
class Limits:
    """Resource limits of one worker (a student's notebook)."""

    memory_mb: int = 4096  # address space; PyTorch alone maps ~1.5 GB (--memory-mb)
    processes: int = 64  # processes and threads of the sandbox's uid (--processes)
    cpu_seconds: int = 900  # backstop; the judge's wall-clock limits act first
    file_mb: int = 64  # the largest file the student may write
    scratch_mb: int = 128  # size of /scratch and of /tmp

    def rlimits(self) -> dict[str, int]:
        """``RLIMIT_<NAME>`` values, as the worker sets them on itself."""
        return {
            "as": self.memory_mb * 2**20,
            "nproc": self.processes,
            "cpu": self.cpu_seconds,
            "fsize": self.file_mb * 2**20,
            "core": 0,
        }


# -- what crosses between the judge and the worker -------------------------------------------
MAX_FRAME_BYTES = 512 * 2**20  # one message; a worker sending more is treated as crashed
MAX_DEPTH = 64  # nesting of containers in one value
MAX_CHANGED = 64  # arguments a callee changed in place, written back per call
MAX_NESTED = 4  # container levels an in-place change is looked for in: [array], {"w": [array]}
MAX_MRO = 16  # classes of an object's MRO sent with its handle (to find a trusted base class)

# -- text kept (characters) ------------------------------------------------------------------
MAX_OUTPUT_CHARS = 20_000  # of what a cell prints (student cell in the worker, test cell in the judge)
REPR_CHARS = 2_000  # an object's repr sent to the other side
ERROR_MESSAGE_CHARS = 4_000  # an exception's message sent to the other side
TRACEBACK_CHARS = 2_000  # where a student's cell failed (its last frames), and the error shown
TYPE_NAME_CHARS = 80  # a type's name sent with a handle
MAGIC_CHARS = 40  # an IPython magic quoted in the comment that replaces it
DRAIN_KEEP_CHARS = 8_000  # the worker's raw fd 1/2 outside the protocol (why it died)
RECORD_STATUS_CHARS = 240  # one test cell's verdict
ROW_STATUS_CHARS = 300  # the status column of grades.csv: the verdict plus the intake's notes
FEEDBACK_TEXT_CHARS = 25_000  # one output on the feedback page (the worker already cut it to 20,000)
FEEDBACK_SOURCE_CHARS = 50_000  # a student's cell shown back to them

# -- files -----------------------------------------------------------------------------------
MAX_NOTEBOOK_BYTES = 50 * 2**20  # a larger notebook (stale outputs) is neither collected nor read
