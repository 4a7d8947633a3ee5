"""The sandbox a student's code runs in: bubblewrap namespaces, an unprivileged uid, rlimits.

What the worker process sees and may do (see ``docs/grading.md``):

- no network (a new, empty network namespace), no other process (a new PID namespace whose
  every process is killed when the worker's bubblewrap ends), its own hostname and IPC;
- read-only: ``/usr`` (with the ``/bin``, ``/lib`` links), the Python installation, ``.venv``,
  ``course_lib`` (what student code imports) and ``course_tools`` (the worker's own code) —
  not the rest of the repository, ``solutions/``, other submissions, the output folder or any
  gradebook;
- writable: ``/scratch`` (its working directory) and ``/tmp``, two small private tmpfs;
- an unprivileged uid of its own per grading slot, so ``RLIMIT_NPROC`` caps its processes,
  plus ``RLIMIT_AS`` (memory), ``RLIMIT_CPU``, ``RLIMIT_FSIZE`` and no core files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import course_lib
import course_tools
from course_tools.grader.protocol.limits import Limits

UID_BASE = 61000  # slot k runs as uid UID_BASE + k (grade.py spreads k per run; no account needed)


def _python_home() -> Path:
    """The real Python installation (``.venv/bin/python`` is a symlink into it)."""
    return Path(sysconfig.get_config_var("prefix") or sys.base_prefix).resolve()


def _dirs_for(path: Path) -> list[str]:
    """``--dir`` every ancestor with mode 0755, so the unprivileged uid can walk to ``path``."""
    args: list[str] = []
    for parent in reversed(path.parents):
        if str(parent) != "/":
            args += ["--perms", "0755", "--dir", str(parent)]
    return args


def read_only_paths() -> list[Path]:
    venv = Path(sys.prefix)
    packages = [Path(str(p.__file__)).resolve().parent for p in (course_lib, course_tools)]
    paths = [_python_home(), venv.resolve(), *packages]
    if venv != venv.resolve():
        paths.append(venv)
    mirror = os.environ.get("COURSE_DATA_MIRROR")
    if mirror and Path(mirror).is_dir():
        paths.append(Path(mirror).resolve())
    unique: list[Path] = []
    for p in paths:
        if p not in unique and not any(p.is_relative_to(u) for u in unique):
            unique.append(p)
    return unique


def bwrap_command(limits: Limits) -> list[str]:
    """The bubblewrap prefix that runs a command in the sandbox."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise RuntimeError("bubblewrap (bwrap) is not installed: apt-get install bubblewrap")
    size = str(limits.scratch_mb * 2**20)
    cmd = [
        bwrap,
        "--unshare-ipc",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--die-with-parent",
        "--new-session",
        "--hostname",
        "sandbox",
        "--ro-bind",
        "/usr",
        "/usr",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--size",
        size,
        "--perms",
        "1777",
        "--tmpfs",
        "/tmp",
        "--size",
        size,
        "--perms",
        "1777",
        "--tmpfs",
        "/scratch",
    ]
    for link in ("bin", "lib", "lib64", "sbin"):
        target = Path("/") / link
        if target.is_symlink():
            cmd += ["--symlink", os.readlink(target), f"/{link}"]
        elif target.is_dir():
            cmd += ["--ro-bind", str(target), f"/{link}"]
    for name in ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "nsswitch.conf"):
        if (Path("/etc") / name).exists():
            cmd += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    for path in read_only_paths():
        cmd += _dirs_for(path) + ["--ro-bind", str(path), str(path)]
    return cmd + ["--chdir", "/scratch", "--"]


def worker_env(limits: Limits, slot: int | None) -> dict[str, str]:
    """The worker's whole environment (nothing of the instructor's is passed on)."""
    import json

    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": "/scratch",
        "TMPDIR": "/tmp",
        "LANG": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": "/tmp/matplotlib",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "NBGRADER_EXECUTION": "autograde",
        "COURSE_WORKER_LIMITS": json.dumps(limits.rlimits()),
    }
    if slot is not None:
        env["COURSE_WORKER_UID"] = str(UID_BASE + slot)
    mirror = os.environ.get("COURSE_DATA_MIRROR")
    if mirror and Path(mirror).is_dir():
        env["COURSE_DATA_MIRROR"] = str(Path(mirror).resolve())
    return env


def worker_command(limits: Limits, *, sandboxed: bool) -> list[str]:
    python = [sys.executable, "-I", "-m", "course_tools.grader.worker.worker"]
    return bwrap_command(limits) + python if sandboxed else python


def unavailable_reason() -> str | None:
    """Why the sandbox cannot run here, or ``None`` when it can (a real trial run)."""
    if not sys.platform.startswith("linux"):
        return "the sandbox needs Linux namespaces"
    if shutil.which("bwrap") is None:
        return "bubblewrap (bwrap) is not installed (apt-get install bubblewrap)"
    if os.geteuid() != 0:
        return (
            "the sandbox runs each student as a separate unprivileged uid and so needs root "
            "(run course grade as root, e.g. in a container)"
        )
    probe = (
        "import os, socket; assert os.getuid() == %d; assert not os.path.exists(%r); "
        "s = socket.socket(); s.settimeout(1)\n"
        "try:\n s.connect(('1.1.1.1', 53)); print('network')\nexcept OSError: print('ok')"
    )
    here = str(Path(course_lib.__file__).resolve().parent.parent / "solutions")
    cmd = bwrap_command(Limits())[:-1] + [
        "--",
        sys.executable,
        "-I",
        "-c",
        "import os; os.setgroups([]); os.setresgid(%d, %d, %d); "
        "os.setresuid(%d, %d, %d)\n" % ((UID_BASE,) * 6) + probe % (UID_BASE, here),
    ]
    try:
        result = subprocess.run(
            cmd, capture_output=True, text=True, timeout=60, env=worker_env(Limits(), None)
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bubblewrap failed to start: {exc}"
    if result.returncode != 0 or result.stdout.strip() != "ok":
        return (
            "bubblewrap could not create the sandbox: "
            + (result.stderr.strip().splitlines() or [result.stdout.strip() or "?"])[-1]
        )
    return None
