"""``course merge``: join the outputs of ``course grade --shard K/M`` runs into one.

The merged ``grades.csv`` equals an unsharded run's: rows are ordered by student id (as
``course grade`` orders them) and, within a student, kept in their shard's order (notebook,
then cell). A student found in two shards, or a header that differs, is an error: shards of
one grading must not overlap. Feedback folders are copied alongside.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from course_tools.grader.protocol.records import COLUMNS


def merge(shards: list[Path], out: Path) -> int:
    """Merge the ``grades.csv`` (and ``feedback/``) of ``shards`` into ``out``; returns the row count."""
    by_student: dict[str, list[list[str]]] = {}
    owner: dict[str, Path] = {}
    for shard in shards:
        path = shard / "grades.csv"
        if not path.is_file():
            raise SystemExit(f"course merge: {path} does not exist (did that shard finish?)")
        with path.open(newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if header != COLUMNS:
                raise SystemExit(f"course merge: {path} has columns {header}, expected {COLUMNS}")
            rows = list(reader)
        students = {r[0] for r in rows}
        for student in sorted(students):
            if student in owner:
                raise SystemExit(f"course merge: student {student!r} is in both {owner[student]} and {shard}")
            owner[student] = shard
        for row in rows:
            by_student.setdefault(row[0], []).append(row)
    out.mkdir(parents=True, exist_ok=True)
    merged = [row for student in sorted(by_student) for row in by_student[student]]
    tmp = out / "grades.csv.tmp"
    with tmp.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows(merged)
    tmp.replace(out / "grades.csv")
    for shard in shards:
        if (shard / "feedback").is_dir() and shard.resolve() != out.resolve():
            shutil.copytree(shard / "feedback", out / "feedback", dirs_exist_ok=True)
    return len(merged)
