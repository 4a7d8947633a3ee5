"""A grading run's output folder: what it records, what it refuses, and what it never overwrites.

``OUT/run.json`` (:class:`RunInfo`) says what was graded: the assignment and a digest of each
source notebook (the tests), the shard ``K/M``, the whole cohort (every student folder of the
submissions, in every shard) and the students graded here. ``course merge`` checks shards
against it; ``course grade --student`` regrades into it; ``course report`` and ``course export``
read it.

Rules (``docs/grading.md``, "Runs"):

- ``--out`` may not be ``--submissions`` nor lie inside it (the feedback would become a student).
- An ``--out`` holding an earlier run is never overwritten: its results move to
  ``OUT/earlier/<time>/`` first (:func:`keep_earlier`), and ``--student`` keeps the rows and
  feedback it replaces there too.
- ``OUT/totals.csv``: one row per student (:func:`write_totals`).
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import sys
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from course_tools.grader.cohort.manifest import read_submission
from course_tools.grader.protocol.records import COLUMNS, Row

RUN_FILE = "run.json"
EARLIER = "earlier"
RESULTS = ("grades.csv", "totals.csv", RUN_FILE, "report.html", "feedback")  # what a run writes
TOTALS_COLUMNS = ["student_id", "assignment", "score", "max_score", "percent", "late", "submitted", "status"]
PROBLEMS = ("missing", "unreadable", "link", "grader error", "not graded")  # statuses with no verdict
STAMP = "%Y-%m-%dT%H-%M-%S"


@dataclass
class RunInfo:
    """``OUT/run.json``: what a ``course grade`` run (or a merge of shards) graded."""

    assignment: str
    sources: dict[str, str]  # notebook -> sha256 of the instructor's source notebook
    shard: list[int] | None  # [K, M], or None for a whole cohort
    cohort: list[str]  # every student folder of the submissions (all shards)
    students: list[str]  # the students graded in this output
    submissions: str = ""
    started: str = ""
    finished: str = ""  # empty while the run is going (an interrupted run stays incomplete)
    references: list[list[str]] = field(default_factory=list)  # course_lib references the tests block
    regraded: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunInfo:
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in names})

    def describe(self) -> str:
        where = f"shard {self.shard[0]}/{self.shard[1]}" if self.shard else "the whole cohort"
        return f"{self.assignment}, {where}, {len(self.students)} of {len(self.cohort)} students"


def now() -> str:
    return datetime.now().isoformat(timespec="seconds")


def source_digests(source_dir: Path) -> dict[str, str]:
    return {p.stem: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(source_dir.glob("*.ipynb"))}


def read_run(out: Path) -> RunInfo | None:
    path = out / RUN_FILE
    if not path.is_file():
        return None
    try:
        return RunInfo.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError) as exc:
        raise SystemExit(f"course: {path} is not a run record ({exc})") from None


def write_run(out: Path, info: RunInfo) -> None:
    tmp = out / f"{RUN_FILE}.tmp"
    tmp.write_text(json.dumps(info.to_json(), indent=1) + "\n", encoding="utf-8")
    tmp.replace(out / RUN_FILE)


def check_out(out: Path, submissions: Path) -> None:
    """Refuse an ``--out`` that is the submissions folder or lies inside it."""
    out, submissions = out.resolve(), submissions.resolve()
    if out == submissions or submissions in out.parents:
        raise SystemExit(
            f"course grade: --out {out} is inside --submissions {submissions}: its feedback would be "
            "taken for a student's folder; choose a folder outside the submissions"
        )


def keep_earlier(out: Path, what: tuple[str, ...] = RESULTS, label: str = "") -> Path | None:
    """Move an earlier run's results out of the way, to ``OUT/earlier/<time>[-label]/``; returns it."""
    present = [out / name for name in what if (out / name).exists()]
    if not present:
        return None
    info = read_run(out) if (out / RUN_FILE).is_file() else None
    when = info.finished or info.started if info else ""
    stamp = when.replace(":", "-") if when else datetime.now().strftime(STAMP)
    base = out / EARLIER / (f"{stamp}-{label}" if label else stamp)
    target, n = base, 2
    while target.exists():
        target = base.with_name(f"{base.name}-{n}")
        n += 1
    target.mkdir(parents=True)
    for path in present:
        shutil.move(str(path), str(target / path.name))
    return target


def read_rows(path: Path) -> list[Row]:
    """The rows of a ``grades.csv``."""
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header != COLUMNS:
            raise SystemExit(f"course: {path} has columns {header}, expected {COLUMNS}")
        return [Row(r[0], r[1], r[2], r[3], float(r[4]), float(r[5]), r[6]) for r in reader]


def by_student(rows: list[Row]) -> dict[str, list[Row]]:
    grouped: dict[str, list[Row]] = {}
    for row in rows:
        grouped.setdefault(row.student_id, []).append(row)
    return grouped


def verdict(status: str) -> str:
    """A status without the intake's bracketed notes at its end.

    >>> verdict("failed: AssertionError: h [graded 'h1 (1).ipynb']")
    'failed: AssertionError: h'
    """
    if status.endswith("]") and " [" in status:
        return status[: status.rindex(" [")]
    return status


def summary(rows: list[Row]) -> str:
    """One student's status in a few words.

    >>> summary([Row("s", "a", "n", "t1", 1, 1, "passed"), Row("s", "a", "n", "t2", 0, 2, "timeout: x")])
    'passed 1 of 2 checks; failed t2 (timeout)'
    >>> summary([Row("s", "a", "n", "t1", 0, 1, "missing: no n.ipynb")])
    'missing: no n.ipynb'
    """
    verdicts = {verdict(r.status) for r in rows}
    if len(verdicts) == 1 and next(iter(verdicts)).startswith(PROBLEMS):
        return next(iter(verdicts))
    passed = [r for r in rows if r.status.startswith("passed")]
    text = f"passed {len(passed)} of {len(rows)} checks"
    failed = [r for r in rows if not r.status.startswith("passed")]
    if failed:
        text += "; failed " + ", ".join(
            r.grade_id
            + (f" ({r.status.split(':')[0]})" if r.status.startswith(("timeout", "crashed")) else "")
            for r in failed
        )
    return text


def write_totals(rows: list[Row], submissions: Path | None, path: Path) -> None:
    """``totals.csv``: per student the score, the maximum, the percentage, the LMS's late flag."""
    tmp = path.with_suffix(".csv.tmp")
    late_text = {True: "yes", False: "no", None: ""}
    with tmp.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(TOTALS_COLUMNS)
        for student, mine in by_student(rows).items():
            score = sum(r.score for r in mine)
            possible = sum(r.max_score for r in mine)
            found = read_submission(submissions, student) if submissions is not None else None
            writer.writerow(
                [
                    student,
                    mine[0].assignment,
                    f"{score:g}",
                    f"{possible:g}",
                    f"{100 * score / possible:.1f}" if possible else "",
                    late_text[found.late] if found else "",
                    found.submitted if found else "",
                    summary(mine),
                ]
            )
    tmp.replace(path)


class Progress:
    """Students done, ETA and the last status on stderr (tqdm), or nothing when quiet."""

    def __init__(self, total: int, *, enabled: bool, file: TextIO | None = None) -> None:
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="student", desc="grading", file=file or sys.stderr, leave=True)

    def done(self, student: str, rows: list[Row]) -> None:
        if self.bar is None:
            return
        score, possible = sum(r.score for r in rows), sum(r.max_score for r in rows)
        self.bar.set_postfix_str(f"{student}: {score:g}/{possible:g} {summary(rows)}"[:80], refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def in_shard(student: str, shard: tuple[int, int] | None) -> bool:
    """Whether ``student`` belongs to shard ``K/M`` (by a hash of the id: stable as the cohort grows).

    >>> sum(in_shard(f"s{i}", (k, 3)) for i in range(30) for k in (1, 2, 3))
    30
    """
    if shard is None:
        return True
    k, m = shard
    digest = int(hashlib.sha256(student.encode()).hexdigest()[:12], 16)
    return digest % m == k - 1


def parse_shard(text: str | None) -> tuple[int, int] | None:
    """``"2/5"`` -> ``(2, 5)``."""
    if not text:
        return None
    try:
        k, m = (int(v) for v in text.split("/"))
    except ValueError:
        raise SystemExit(f"course grade: --shard wants K/M (e.g. 2/5), got {text!r}") from None
    if not 1 <= k <= m:
        raise SystemExit(f"course grade: --shard {text}: K must be in 1..M")
    return k, m


def write_csv(rows: list[Row], path: Path) -> None:
    tmp = path.with_suffix(".csv.tmp")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows(r.csv_fields() for r in rows)
    tmp.replace(path)


def regrade_target(
    out: Path, assignment: str, source_dir: Path, chosen: list[str], cohort: list[str]
) -> RunInfo:
    """The earlier run ``--student`` regrades into, after checking it is the same grading."""
    earlier = read_run(out)
    if earlier is None or not (out / "grades.csv").is_file():
        raise SystemExit(f"course grade: --student regrades into an earlier run, but {out} holds none")
    if earlier.assignment != assignment or earlier.sources != source_digests(source_dir):
        raise SystemExit(
            f"course grade: {out} holds a run of {earlier.assignment} graded with other tests than "
            f"solutions/{assignment} has now; grade the whole cohort again into a new --out"
        )
    unknown = [s for s in chosen if s not in cohort]
    if unknown:
        raise SystemExit(f"course grade: --student {' '.join(unknown)}: no such folder in the submissions")
    shard = (earlier.shard[0], earlier.shard[1]) if earlier.shard else None
    outside = [s for s in chosen if not in_shard(s, shard)]
    if outside:
        raise SystemExit(f"course grade: --student {' '.join(outside)}: not in {earlier.describe()}")
    return earlier


def set_aside(out: Path, chosen: list[str]) -> Path:
    """Keep the rows and feedback of students about to be regraded in ``OUT/earlier/``."""
    base = out / EARLIER / f"{datetime.now().strftime(STAMP)}-regrade"
    target, n = base, 2
    while target.exists():
        target = base.with_name(f"{base.name}-{n}")
        n += 1
    target.mkdir(parents=True)
    old = [r for r in read_rows(out / "grades.csv") if r.student_id in set(chosen)]
    write_csv(old, target / "grades.csv")
    for student in chosen:
        if (out / "feedback" / student).is_dir():
            (target / "feedback").mkdir(exist_ok=True)
            (out / "feedback" / student).rename(target / "feedback" / student)
    return target
