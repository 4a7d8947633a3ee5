"""``course``: the instructor's command line around nbgrader.

    course release [ASSIGNMENT ...]          regenerate exercises/ from solutions/
    course collect ZIP_OR_DIR --assignment A --out DIR   an LMS download -> DIR/<student_id>/
    course grade ASSIGNMENT --submissions DIR --out OUT [--jobs N] [--shard K/M] [--student ID ...]
    course merge OUT1 OUT2 ... --out OUT      join the shards of one grading
    course report OUT                         (re)write OUT/report.html
    course export OUT --format canvas|moodle|csv   the grades as a file the LMS imports
    course build-source authoring/A/NB.py     percent script -> solutions/A/NB.ipynb
    course build-colab [--check]              chapters -> book/colab/*.ipynb, what Colab opens
    course contract [--check]                 solutions/ -> docs/contract.md, the exercise contract
    course check NOTEBOOK                     grade your own notebook as course grade would
    course misconceptions [--check]           course_lib/misconceptions/ -> book/misconceptions.md
    course translations update|check|build    the translated editions (locales/<lang>/*.po)

Run ``course COMMAND --help`` for the options of each.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def _root(path: str | None) -> Path:
    """The course folder: the one holding ``nbgrader_config.py`` (cwd or an ancestor)."""
    start = Path(path).resolve() if path else Path.cwd().resolve()
    for folder in (start, *start.parents):
        if (folder / "nbgrader_config.py").is_file() and (folder / "solutions").is_dir():
            return folder
    raise SystemExit(f"course: no course folder (with nbgrader_config.py and solutions/) at or above {start}")


def _add_grade(sub: Any) -> None:
    from course_tools.grader.protocol.limits import CELL_TIMEOUT, NOTEBOOK_TIMEOUT, Limits

    grade = sub.add_parser("grade", help="autograde a folder of submissions against the hidden tests")
    grade.add_argument("assignment")
    grade.add_argument(
        "--submissions",
        required=True,
        type=Path,
        help="folder with one sub-folder per student: DIR/<student_id>/<notebook>.ipynb",
    )
    grade.add_argument("--out", required=True, type=Path, help="writes OUT/grades.csv and OUT/feedback/")
    grade.add_argument("--jobs", type=int, default=1, help="students graded at once (default 1)")
    grade.add_argument("--shard", help="grade only shard K of M (K/M, by a hash of the student id)")
    grade.add_argument(
        "--cell-timeout",
        type=float,
        default=CELL_TIMEOUT,
        help=f"seconds per cell (default {CELL_TIMEOUT:g})",
    )
    grade.add_argument(
        "--notebook-timeout",
        type=float,
        default=NOTEBOOK_TIMEOUT,
        help=f"seconds per notebook, all cells (default {NOTEBOOK_TIMEOUT:g})",
    )
    grade.add_argument(
        "--memory-mb",
        type=int,
        default=Limits.memory_mb,
        help=f"address space of a sandbox (default {Limits.memory_mb})",
    )
    grade.add_argument(
        "--processes",
        type=int,
        default=Limits.processes,
        help=f"processes and threads of a sandbox (default {Limits.processes})",
    )
    grade.add_argument(
        "--unsafe-no-sandbox",
        action="store_true",
        help="run student code WITHOUT isolation (only for trusted notebooks)",
    )
    grade.add_argument(
        "--no-calibrate",
        action="store_true",
        help="skip grading the solution first (it checks the judge and finds references)",
    )
    grade.add_argument(
        "--student",
        nargs="+",
        metavar="ID",
        help="regrade only these students into the earlier run in OUT (their rows and feedback replaced)",
    )
    grade.add_argument("--quiet", action="store_true", help="no progress display on stderr")
    grade.add_argument("--keep-work", action="store_true", help=argparse.SUPPRESS)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="course", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--root", help="course folder (default: found from the current directory)")
    sub = parser.add_subparsers(dest="command", required=True)

    rel = sub.add_parser("release", help="regenerate exercises/ from solutions/ (deterministic)")
    rel.add_argument("assignments", nargs="*", help="assignment names (default: all in solutions/)")
    rel.add_argument("--into", help="write the release here instead of exercises/ (for checks)")

    _add_grade(sub)

    from course_tools.grader.cohort.lms import RULES_HELP

    col = sub.add_parser(
        "collect",
        help="turn an LMS download (zip or folder) into DIR/<student_id>/",
        description="Copy an LMS download (a zip or a folder) to DIR/<student_id>/, for course grade. "
        "Collecting again is safe: the same download changes nothing, a newer submission replaces the "
        "older one (kept in DIR/.collect/history/), and DIR/collect_log.csv grows.",
        epilog=RULES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    col.add_argument("download", type=Path)
    col.add_argument("--assignment", required=True)
    col.add_argument("--out", required=True, type=Path)

    mer = sub.add_parser("merge", help="join the grades.csv (and feedback) of --shard runs")
    mer.add_argument("shards", nargs="+", type=Path, help="the --out folders of the shards")
    mer.add_argument("--out", required=True, type=Path)

    rep = sub.add_parser("report", help="(re)write OUT/report.html: distributions, failures, similarity")
    rep.add_argument("out", type=Path)
    rep.add_argument("--submissions", type=Path, help="the submissions, if not where run.json says")

    exp = sub.add_parser("export", help="write the grades as a file an LMS imports (Canvas, Moodle, CSV)")
    exp.add_argument("out", type=Path, help="a course grade (or merge) output folder")
    exp.add_argument("--format", required=True, choices=["canvas", "moodle", "csv"])
    exp.add_argument("--to", type=Path, help="the file to write (default OUT/export_FORMAT.csv)")
    exp.add_argument(
        "--column", help="Canvas: the assignment column, e.g. 'A1 RNN (123456)' (default: the assignment)"
    )
    exp.add_argument("--submissions", type=Path, help="the submissions, if not where run.json says")

    src = sub.add_parser("build-source", help="turn authoring/A/NB.py into solutions/A/NB.ipynb")
    src.add_argument("scripts", nargs="+", type=Path)
    src.add_argument("--check", action="store_true", help="only report notebooks that are out of date")

    colab = sub.add_parser(
        "build-colab", help="regenerate book/colab/*.ipynb, the chapters' notebooks for Colab's launch button"
    )
    colab.add_argument("--check", action="store_true", help="only report notebooks that are out of date")

    contract = sub.add_parser(
        "contract", help="regenerate docs/contract.md (the exercise contract) from solutions/ and check it"
    )
    contract.add_argument(
        "--check", action="store_true", help="only report an out-of-date page and notebooks that break it"
    )
    _add_student_commands(sub)
    return parser


def _add_student_commands(sub: Any) -> None:
    from course_tools.grader.protocol.limits import CELL_TIMEOUT

    chk = sub.add_parser(
        "check", help="grade one notebook exactly as course grade would and print the messages (a self-check)"
    )
    chk.add_argument("notebook", type=Path)
    chk.add_argument("--assignment", help="the assignment (default: found from the notebook's name)")
    chk.add_argument("--cell-timeout", type=float, default=CELL_TIMEOUT, help=argparse.SUPPRESS)
    chk.add_argument(
        "--unsafe-no-sandbox",
        action="store_true",
        help="run without the sandbox even where it could run (it is skipped, with a note, where it cannot)",
    )
    mis = sub.add_parser(
        "misconceptions", help="regenerate book/misconceptions.md from course_lib/misconceptions/*.toml"
    )
    mis.add_argument("--check", action="store_true", help="only report an out-of-date page")
    from course_tools.build.translations import add_parser

    add_parser(sub)


def _run_student_command(root: Path, args: argparse.Namespace) -> int:
    if args.command == "translations":
        from course_tools.build import translations

        return translations.run(root, args)
    if args.command == "check":
        from course_tools.grader.cohort.check import check

        return check(
            root,
            args.notebook.resolve(),
            assignment=args.assignment,
            sandbox=not args.unsafe_no_sandbox,
            cell_timeout=args.cell_timeout,
        )
    from course_tools.build.misconceptions import build_page

    return 0 if build_page(root, check=args.check) else 1


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "merge":
        from course_tools.grader.cohort.merge import merge
        from course_tools.grader.cohort.report import write_report_safely

        count = merge(args.shards, args.out.resolve())
        print(f"merged {len(args.shards)} shards, {count} rows: {args.out / 'grades.csv'}", file=sys.stderr)
        write_report_safely(_root(args.root), args.out.resolve(), "course merge")
        return 0
    if args.command == "export":
        from course_tools.grader.cohort.export import export

        path, left_out = export(
            args.out.resolve(), args.format, to=args.to, column=args.column, submissions=args.submissions
        )
        if left_out:
            print(
                f"course export: WARNING: {len(left_out)} students have no {args.format} id, left out: "
                + ", ".join(left_out),
                file=sys.stderr,
            )
        print(f"wrote {path}", file=sys.stderr)
        return 0
    root = _root(args.root)
    if args.command == "report":
        from course_tools.grader.cohort.report import write_report

        print(f"wrote {write_report(root, args.out.resolve(), args.submissions)}", file=sys.stderr)
        return 0
    if args.command == "release":
        from course_tools.build.release import release

        release(root, args.assignments, into=Path(args.into).resolve() if args.into else None)
        return 0
    if args.command == "grade":
        from course_tools.grader.cohort.grade import grade, parse_shard
        from course_tools.grader.protocol.limits import Limits

        rows = grade(
            root,
            args.assignment,
            args.submissions.resolve(),
            args.out.resolve(),
            jobs=args.jobs,
            cell_timeout=args.cell_timeout,
            notebook_timeout=args.notebook_timeout,
            limits=Limits(memory_mb=args.memory_mb, processes=args.processes),
            sandbox=not args.unsafe_no_sandbox,
            shard=parse_shard(args.shard),
            calibrate=not args.no_calibrate,
            students=args.student,
            progress=not args.quiet,
        )
        students = len({r.student_id for r in rows})
        print(f"graded {students} students: {args.out / 'grades.csv'}", file=sys.stderr)
        return 0
    if args.command == "collect":
        from course_tools.grader.cohort.collect import collect

        found = collect(root, args.download, args.assignment, args.out.resolve())
        for warning in found.warnings:
            print(f"course collect: WARNING: {warning}", file=sys.stderr)
        counts: dict[str, int] = {}
        for action in found.actions.values():
            key = action.split(" (")[0].split(":")[0]
            counts[key] = counts.get(key, 0) + 1
        done = ", ".join(f"{n} {what}" for what, n in sorted(counts.items()))
        print(f"collected {len(found.students)} students into {args.out} ({done})", file=sys.stderr)
        return 0
    if args.command == "build-source":
        from course_tools.build.source import build_source

        stale = build_source(root, args.scripts, check=args.check)
        return 1 if (args.check and stale) else 0
    if args.command == "build-colab":
        from course_tools.build.colab import build_twins

        stale = build_twins(root, check=args.check)
        return 1 if (args.check and stale) else 0
    if args.command == "contract":
        from course_tools.build.contract import build_contract

        return 0 if build_contract(root, check=args.check) else 1
    if args.command in ("check", "misconceptions", "translations"):
        return _run_student_command(root, args)
    raise AssertionError(args.command)


if __name__ == "__main__":
    raise SystemExit(main())
