"""Cohort grading throughput of ``course grade`` on a1_rnn: per notebook and in total.

    .venv/bin/python bench/grading.py [--students 40] [--cell-timeout 30] [--skip-unsandboxed]
                                      [--jobs 1 2] [--progress]

Builds ``--students`` submissions of a1_rnn from the sample submissions in
``tests/submissions/a1_rnn/`` (the solution, correct-but-different answers and plausible bugs,
cycled; the infinite-loop case is left out, it measures the timeout, not the grader) and grades
them four ways: ``--jobs 1`` and ``--jobs 2``, sandboxed and not. For each it prints the
median seconds per notebook (inside its judge, from intake to feedback), the total wall time
(calibration on the solution included) and, as ratios against the baseline measured in this
run: the speed-up of the second job and the sandbox's cost. Also measured: the CLI's import
time, the judge's ``import torch`` and a sandboxed worker's start-up, and after each run the
time ``report.html`` takes (plots and similarity; not in the run's total). ``--progress`` shows
``course grade``'s progress bar on stderr, as the command does.

Goals (issue "A grader instructors can trust"): median <= 6 s per notebook; >= 1.8x from the
second job on 2 cores (only meaningful on an otherwise idle machine).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from assignment_harness import build_submission, cases, notebook_of  # noqa: E402

from course_tools.grader.cohort.grade import grade  # noqa: E402
from course_tools.grader.cohort.report import write_report  # noqa: E402
from course_tools.grader.judge.sandbox import unavailable_reason  # noqa: E402
from course_tools.grader.protocol.limits import Limits  # noqa: E402

ASSIGNMENT = "a1_rnn"


def make_submissions(folder: Path, count: int) -> None:
    name = notebook_of(ASSIGNMENT)
    solution = nbformat.read(ROOT / "solutions" / ASSIGNMENT / name, as_version=4)
    pool = [solution] + [
        build_submission(ASSIGNMENT, c) for c in cases(ASSIGNMENT) if "infinite" not in c.name
    ]
    for i in range(count):
        (folder / f"s{i:03d}").mkdir(parents=True)
        nbformat.write(pool[i % len(pool)], folder / f"s{i:03d}" / name)


def seconds_of(command: list[str], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        best = min(best, time.perf_counter() - start)
    return best


def worker_startup(sandboxed: bool) -> float:
    from course_tools.grader.judge.judge import Judge

    judge = Judge(Limits(), sandboxed=sandboxed, slot=0, cell_timeout=60, notebook_timeout=60)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        judge.reset_namespace()
        judge.start_worker()
        judge.request("exec", source="import numpy as np")
        judge.stop_worker()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--cell-timeout", type=float, default=30)
    parser.add_argument("--skip-unsandboxed", action="store_true")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="the --jobs values to run")
    parser.add_argument("--progress", action="store_true", help="show the progress bar while grading")
    args = parser.parse_args()
    sandbox_ok = unavailable_reason() is None
    if not sandbox_ok:
        print(f"sandbox unavailable ({unavailable_reason()}): measuring unsandboxed runs only")
    python = sys.executable
    print(
        f"CLI import (python -c 'import course_tools.cli'): "
        f"{seconds_of([python, '-c', 'import course_tools.cli']):.2f} s; "
        f"`course --help`: {seconds_of([python, '-m', 'course_tools', '--help']):.2f} s; "
        f"bare python: {seconds_of([python, '-c', 'pass']):.2f} s"
    )
    print(f"judge's `import torch`: {seconds_of([python, '-c', 'import torch']):.2f} s (once per job)")
    print(
        f"worker start-up + `import numpy`: unsandboxed {worker_startup(False):.2f} s"
        + (f", sandboxed {worker_startup(True):.2f} s" if sandbox_ok else "")
    )
    runs = [  # interleaved, so that a drift in the machine's load biases no comparison much
        (jobs, sandboxed)
        for jobs in args.jobs
        for sandboxed in ([True] if sandbox_ok else []) + ([] if args.skip_unsandboxed else [False])
    ]
    results: dict[tuple[int, bool], tuple[float, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        subs = Path(tmp) / "subs"
        make_submissions(subs, args.students)
        for jobs, sandboxed in runs:
            timings: dict[str, float] = {}
            start = time.perf_counter()
            grade(
                ROOT,
                ASSIGNMENT,
                subs,
                Path(tmp) / f"out-{jobs}-{sandboxed}",
                jobs=jobs,
                cell_timeout=args.cell_timeout,
                sandbox=sandboxed,
                timings=timings,
                progress=args.progress,
                report=False,
            )
            total = time.perf_counter() - start
            start = time.perf_counter()
            write_report(ROOT, Path(tmp) / f"out-{jobs}-{sandboxed}")
            report = time.perf_counter() - start
            median = statistics.median(timings.values())
            results[(jobs, sandboxed)] = (median, total)
            print(
                f"jobs={jobs} {'sandboxed  ' if sandboxed else 'unsandboxed'}: "
                f"median {median:.2f} s per notebook, total {total:.1f} s for {args.students} notebooks "
                f"({args.students / total:.2f} notebooks/s); report.html {report:.1f} s",
                flush=True,
            )
    print("ratios:")
    for sandboxed in (True, False):
        if (1, sandboxed) in results and (2, sandboxed) in results:
            speedup = results[(1, sandboxed)][1] / results[(2, sandboxed)][1]
            print(
                f"  {'sandboxed' if sandboxed else 'unsandboxed'}: "
                f"jobs=2 is {speedup:.2f}x jobs=1 (goal >= 1.8x)"
            )
    for jobs in (1, 2):
        if (jobs, True) in results and (jobs, False) in results:
            cost = results[(jobs, True)][1] / results[(jobs, False)][1]
            per = results[(jobs, True)][0] / results[(jobs, False)][0]
            print(f"  jobs={jobs}: sandboxed/unsandboxed total {cost:.2f}x, median per notebook {per:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
