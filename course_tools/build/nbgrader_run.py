"""Run nbgrader as a subprocess with this interpreter's environment.

nbgrader shells out to ``alembic`` (gradebook migrations) and starts kernels by name, so the
virtual environment's ``bin/`` must lead ``PATH`` even when ``course`` was started by full path.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.setdefault("PYTHONHASHSEED", "0")
    env.update(extra or {})
    return env


def run_nbgrader(
    args: list[str], cwd: Path, *, timeout: float | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m nbgrader ARGS`` in ``cwd``; raises ``subprocess.TimeoutExpired`` after ``timeout``."""
    return subprocess.run(
        [sys.executable, "-m", "nbgrader", *args, "--log-level=WARN"],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=environment(),
        timeout=timeout,
    )
