"""Time the book build three ways: fresh, unchanged, and after a change in ``course_lib``.

    .venv/bin/python bench/book_build.py [--touch course_lib/grading.py] [--toc FILE] [--keep DIR]

Works on a copy of the repository in a temporary folder (the checkout and its ``_build`` are
never touched), with ``PYTHONPATH`` pointing at the copy so that the pages' kernels import the
copy's ``course_lib``. Each build is what ``make book`` runs: ``python -m
course_tools.build.book_cache`` (drops cached executions whose imported library code changed), then
``jupyter-book build`` with warnings as errors.

1. fresh: no ``_build`` at all, every page executes;
2. unchanged: nothing changed, every page comes from the cache (the goal: seconds);
3. after a library change: a comment is appended to ``--touch`` in the copy; exactly the pages
   that import that module (directly or through other ``course_lib`` modules) execute again.

Prints each build's wall time, its ratio to the fresh build (the baseline measured in the same
run), which pages executed, and the build's exit code (non-zero when a warning fired, for
instance a page in ``_toc.yml`` that does not exist yet; the times are still meaningful).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
_SKIP = shutil.ignore_patterns(
    ".venv", "_build", ".git", "__pycache__", ".*_cache", ".hypothesis", "*.egg-info"
)


def IGNORE(folder: str, names: list[str]) -> set[str]:  # noqa: N802 (shutil's callback name)
    """What not to copy: environments, builds, caches, and the top-level downloaded data."""
    skipped = set(_SKIP(folder, names))
    if Path(folder) == ROOT and "data" in names:
        skipped.add("data")  # linked below instead of copied
    return skipped


EXECUTED = re.compile(r"([^\s/]+\.(?:md|ipynb)): Executed notebook in ([\d.]+) seconds")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def build(copy: Path) -> tuple[float, int, list[str], str]:
    """One ``make book`` in ``copy``: (seconds, exit code, pages executed, log)."""
    env = dict(os.environ, PYTHONPATH=str(copy))
    mirror = ROOT.parent / "shared" / "data"  # as CI and the Makefile set it
    if "COURSE_DATA_MIRROR" not in env and mirror.is_dir():
        env["COURSE_DATA_MIRROR"] = str(mirror)
    start = time.perf_counter()
    pre = subprocess.run(
        [sys.executable, "-m", "course_tools.build.book_cache", "--root", str(copy)],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
    )
    done = subprocess.run(
        [str(BIN / "jupyter-book"), "build", str(copy), "--warningiserror", "--nitpick", "--keep-going"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    log = ANSI.sub("", pre.stdout + pre.stderr + done.stdout + done.stderr)
    executed = [f"{name} ({float(s):.0f} s)" for name, s in EXECUTED.findall(log)]
    return seconds, done.returncode or pre.returncode, executed, log


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--touch", default="course_lib/grading.py", help="library file to change (relative)")
    parser.add_argument(
        "--toc", type=Path, default=None, help="a _toc.yml to use instead of the repository's"
    )
    parser.add_argument("--keep", type=Path, default=None, help="work in this folder and keep it")
    args = parser.parse_args(argv)

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="book-bench-"))
    copy = workdir / "book"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(ROOT, copy, ignore=IGNORE, symlinks=True)
    if (ROOT / "data").is_dir():  # data the pages read: a link, not a copy
        (copy / "data").symlink_to(ROOT / "data")
    if args.toc:
        shutil.copy(args.toc, copy / "_toc.yml")
    print(f"book bench in {copy} on {os.cpu_count()} CPUs", flush=True)

    rows = []
    try:
        for label in ("fresh", "unchanged", f"after changing {args.touch}"):
            if label.startswith("after"):
                with (copy / args.touch).open("a", encoding="utf-8") as handle:
                    handle.write("\n# bench: a change that only the hash can see\n")
            seconds, code, executed, log = build(copy)
            rows.append((label, seconds, code, executed))
            (workdir / f"{label.split()[0]}.log").write_text(log, encoding="utf-8")
            print(
                f"{label:<40} {seconds:7.1f} s  exit {code}  executed {len(executed)}: "
                f"{', '.join(executed) or '-'}",
                flush=True,
            )
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)

    fresh = rows[0][1]
    print("\nbuild                                     seconds  ratio to fresh")
    for label, seconds, _, _ in rows:
        print(f"{label:<40} {seconds:8.1f}  {seconds / fresh:8.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
