"""What ``course collect`` records about each student's submission, beside the submissions.

``SUBMISSIONS/.collect/students/<student_id>.json`` holds one :class:`Submission`: the LMS, the
student's name and id as the LMS wrote them, and each file with its own time (the archive
entry's time, or Blackboard's attempt time), the LMS's late flag and a digest.
``SUBMISSIONS/.collect/history/<student_id>/<time>/`` keeps every submission a newer one
replaced. The folder starts with a dot, so ``course grade`` never takes it for a student, and it
sits outside the student's folder, so nothing a student hands in can write or forge it.

``course grade`` reads it for the newest of several notebooks (:func:`submission_times`), the
``late`` column of ``totals.csv`` and ``course export``'s LMS ids.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

COLLECT_DIR = ".collect"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"  # naive local time, as zip entries store it


@dataclass(frozen=True)
class FileEntry:
    """One file of a submission, as the download had it."""

    name: str  # in the student's folder
    member: str  # its path in the download
    submitted: str  # TIME_FORMAT
    sha256: str
    late: bool | None = None

    def timestamp(self) -> float:
        """Seconds since the epoch (local time, as ``os.utime`` wants it)."""
        return time.mktime(datetime.strptime(self.submitted, TIME_FORMAT).timetuple())


@dataclass
class Submission:
    """A student's current submission, as ``course collect`` stored it."""

    student_id: str
    lms: str
    name: str = ""
    download: str = ""
    collected: str = ""
    files: list[FileEntry] = field(default_factory=list)

    @property
    def submitted(self) -> str:
        """The newest file's time ("" when there is no file)."""
        return max((f.submitted for f in self.files), default="")

    @property
    def late(self) -> bool | None:
        """The LMS's late flag: True if any file is flagged, None when the LMS does not say."""
        flags = [f.late for f in self.files if f.late is not None]
        return any(flags) if flags else None

    def digests(self) -> set[tuple[str, str]]:
        return {(f.name, f.sha256) for f in self.files}

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Submission:
        files = [FileEntry(**f) for f in data.get("files", [])]
        return cls(
            str(data["student_id"]),
            str(data.get("lms", "")),
            str(data.get("name", "")),
            str(data.get("download", "")),
            str(data.get("collected", "")),
            files,
        )


def collect_dir(submissions: Path) -> Path:
    return submissions / COLLECT_DIR


def manifest_path(submissions: Path, student: str) -> Path:
    return collect_dir(submissions) / "students" / f"{student}.json"


def history_dir(submissions: Path, student: str) -> Path:
    return collect_dir(submissions) / "history" / student


def read_submission(submissions: Path, student: str) -> Submission | None:
    """The recorded submission of ``student``, or None (not collected, or unreadable)."""
    path = manifest_path(submissions, student)
    if path.is_symlink() or not path.is_file():
        return None
    try:
        return Submission.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError):
        return None


def write_submission(submissions: Path, submission: Submission) -> None:
    path = manifest_path(submissions, submission.student_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(submission.to_json(), indent=1, sort_keys=True), encoding="utf-8")
    tmp.replace(path)


def submission_times(folder: Path) -> dict[str, float]:
    """File name -> the submission's own time for a student's folder, from its manifest ({} if none)."""
    found = read_submission(folder.parent, folder.name)
    if found is None:
        return {}
    return {f.name: f.timestamp() for f in found.files}
