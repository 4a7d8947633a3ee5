"""``course merge``: join the outputs of ``course grade --shard K/M`` runs into one.

The merged ``grades.csv`` equals an unsharded run's: rows are ordered by student id (as
``course grade`` orders them) and, within a student, kept in their shard's order (notebook,
then cell). Every shard's ``run.json`` must add up before anything is written: one assignment
graded with the same tests, one cohort (the same student folders), the same ``M``, each ``K``
of ``1..M`` exactly once, each run finished, no student in two shards; whatever does not is
named. Feedback folders are copied alongside; ``totals.csv``, ``run.json`` and ``report.html``
are written for the whole cohort.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from course_tools.grader.cohort.run import (
    RunInfo,
    by_student,
    keep_earlier,
    now,
    read_rows,
    read_run,
    write_csv,
    write_run,
    write_totals,
)
from course_tools.grader.protocol.records import Row


def _km(info: RunInfo) -> tuple[int, int]:
    assert info.shard is not None
    return info.shard[0], info.shard[1]


def _check(shards: list[Path]) -> list[RunInfo]:
    """Every shard's run record, once they are known to add up to one cohort."""
    infos = []
    for shard in shards:
        if not (shard / "grades.csv").is_file():
            raise SystemExit(f"course merge: {shard / 'grades.csv'} does not exist (did that shard finish?)")
        info = read_run(shard)
        if info is None:
            raise SystemExit(
                f"course merge: {shard} has no run.json: not the output of `course grade --shard`"
            )
        if info.shard is None:
            raise SystemExit(f"course merge: {shard} graded the whole cohort, not a shard")
        if not info.finished:
            raise SystemExit(
                f"course merge: {shard} ({info.describe()}) did not finish; run that shard again"
            )
        infos.append(info)
    first = infos[0]
    for shard, info in zip(shards, infos, strict=True):
        if info.assignment != first.assignment or info.sources != first.sources:
            raise SystemExit(
                f"course merge: {shards[0]} graded {first.assignment} and {shard} graded {info.assignment}"
                + (" with other tests" if info.assignment == first.assignment else "")
                + ": shards of one grading must grade one assignment with the same tests"
            )
        if info.cohort != first.cohort:
            only = sorted(set(info.cohort) ^ set(first.cohort))
            raise SystemExit(
                f"course merge: {shards[0]} and {shard} saw different cohorts ({len(first.cohort)} and "
                f"{len(info.cohort)} students; differing: {', '.join(only[:10])}): grade every shard "
                "from the same submissions"
            )
        if _km(info)[1] != _km(first)[1]:
            raise SystemExit(
                f"course merge: {shards[0]} is one of {_km(first)[1]} shards, {shard} one of {_km(info)[1]}"
            )
    m = _km(first)[1]
    seen: dict[int, Path] = {}
    for shard, info in zip(shards, infos, strict=True):
        k = _km(info)[0]
        if k in seen:
            raise SystemExit(f"course merge: shard {k}/{m} is given twice ({seen[k]} and {shard})")
        seen[k] = shard
    missing = [f"{k}/{m}" for k in range(1, m + 1) if k not in seen]
    if missing:
        raise SystemExit(
            f"course merge: missing shard{'s' if len(missing) > 1 else ''} {', '.join(missing)} of {m}"
        )
    return infos


def merge(shards: list[Path], out: Path) -> int:
    """Merge the ``grades.csv`` (and ``feedback/``) of ``shards`` into ``out``; returns the row count."""
    infos = _check(shards)
    rows: dict[str, list[Row]] = {}
    owner: dict[str, Path] = {}
    for shard in shards:
        for student, mine in by_student(read_rows(shard / "grades.csv")).items():
            if student in owner:
                raise SystemExit(f"course merge: student {student!r} is in both {owner[student]} and {shard}")
            owner[student] = shard
            rows[student] = mine
    graded = sorted(s for info in infos for s in info.students)
    if graded != sorted(infos[0].cohort):
        lost = sorted(set(infos[0].cohort) - set(graded))
        raise SystemExit(
            f"course merge: the shards do not cover the cohort: {', '.join(lost[:10])} not graded"
        )
    out.mkdir(parents=True, exist_ok=True)
    if all(shard.resolve() != out.resolve() for shard in shards):
        keep_earlier(out)
    merged = [row for student in sorted(rows) for row in rows[student]]
    write_csv(merged, out / "grades.csv")
    for shard in shards:
        if (shard / "feedback").is_dir() and shard.resolve() != out.resolve():
            shutil.copytree(shard / "feedback", out / "feedback", dirs_exist_ok=True)
    first = infos[0]
    submissions = Path(first.submissions) if first.submissions else None
    write_totals(merged, submissions if submissions and submissions.is_dir() else None, out / "totals.csv")
    info = RunInfo(
        first.assignment,
        first.sources,
        None,
        first.cohort,
        graded,
        first.submissions,
        min(i.started for i in infos),
        now(),
        first.references,
        [r for i in infos for r in i.regraded],
    )
    write_run(out, info)
    return len(merged)
