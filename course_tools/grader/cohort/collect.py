"""``course collect``: turn an LMS download into ``DIR/<student_id>/`` for ``course grade``.

Input: a ``.zip`` file or a folder. Every file (at any depth; nested zips are not opened) is
mapped to a student by the LMS naming rules of :mod:`course_tools.grader.cohort.lms` and copied
to ``DIR/<student_id>/<file>`` (the file keeps its name minus the LMS prefix; two files of one
student with one name in one download are both kept, the later one with a ``-2`` suffix).
Nothing is lost, and collecting again is safe:

- **Times.** Each file keeps its submission's own time: the archive entry's time (Blackboard:
  the attempt's time in the name; a folder: the file's time), recorded in the student's
  manifest (:mod:`course_tools.grader.cohort.manifest`) and set as the file's mtime. ``course
  grade`` grades the newest of several notebooks by these times.
- **Again and again.** Collecting the same download again changes nothing. A download in which a
  student's files differ replaces that student's submission if it is newer (the earlier one is
  moved to ``DIR/.collect/history/<student_id>/<time>/``, never deleted) and is itself kept in
  the history if it is older. The LMS's late flag (Canvas ``_late``) is recorded and reaches
  ``totals.csv``.
- **No notebook.** A student who handed in only a ``.pdf``, a ``.py`` or Moodle's
  ``onlinetext.html`` gets a folder too, so ``course grade`` gives them rows that say so.
- **Safety.** Links, hidden files, ``__MACOSX``, paths leaving the download and files over the
  size limit are skipped and logged; nothing is written outside ``DIR``.
- **The log.** ``DIR/collect_log.csv`` gets one row per member, every run appended.
- **Checks.** A warning when the notebooks are not named like the assignment's (``--assignment
  a1_rnn`` on a download of a4's notebooks) and for students with no notebook.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

from course_tools.grader.cohort.intake import normalised_stem
from course_tools.grader.cohort.lms import Member, student_of
from course_tools.grader.cohort.manifest import (
    TIME_FORMAT,
    FileEntry,
    Submission,
    history_dir,
    read_submission,
    write_submission,
)
from course_tools.grader.protocol.limits import MAX_NOTEBOOK_BYTES

LOG_COLUMNS = ["collected", "download", "member", "student_id", "file", "submitted", "late", "action"]
SHOWN_NAMES = 5  # names quoted in a warning before "and N more"


@dataclass(frozen=True)
class Raw:
    """One member of the download: its path, bytes and time, or why it is skipped."""

    path: PurePosixPath
    data: bytes = b""
    when: datetime | None = None
    skip: str = ""


@dataclass
class Collected:
    """What one ``course collect`` did: files per student (now in DIR), actions and warnings."""

    students: dict[str, list[str]] = field(default_factory=dict)
    actions: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _escapes(name: str) -> bool:
    path = PurePosixPath(name.replace("\\", "/"))
    return path.is_absolute() or ".." in path.parts or (len(name) > 1 and name[1] == ":")


def _zip_members(download: Path) -> Iterator[Raw]:
    with zipfile.ZipFile(download) as archive:
        for info in archive.infolist():
            path = PurePosixPath(info.filename)
            if info.is_dir():
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                yield Raw(path, skip="skipped: a link, not a file")
            elif _escapes(info.filename):
                yield Raw(path, skip="skipped: the path leaves the download")
            elif info.file_size > MAX_NOTEBOOK_BYTES:
                yield Raw(path, skip=f"skipped: larger than {MAX_NOTEBOOK_BYTES // 2**20} MB")
            else:
                yield Raw(path, archive.read(info), datetime(*info.date_time))


def _folder_members(download: Path) -> Iterator[Raw]:
    for top, dirs, files in os.walk(download, followlinks=False):
        here = Path(top)
        for name in sorted(dirs):
            if (here / name).is_symlink():
                yield Raw(
                    PurePosixPath((here / name).relative_to(download).as_posix()), skip="skipped: a link"
                )
        dirs.sort()
        for name in sorted(files):
            path = here / name
            rel = PurePosixPath(path.relative_to(download).as_posix())
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                yield Raw(rel, skip="skipped: a link, not a file")
            elif not stat.S_ISREG(info.st_mode):
                continue
            elif info.st_size > MAX_NOTEBOOK_BYTES:
                yield Raw(rel, skip=f"skipped: larger than {MAX_NOTEBOOK_BYTES // 2**20} MB")
            else:
                yield Raw(
                    rel, path.read_bytes(), datetime.fromtimestamp(info.st_mtime).replace(microsecond=0)
                )


def _hidden(path: PurePosixPath) -> bool:
    return any(part.startswith(".") or part == "__MACOSX" for part in path.parts)


def _unique(name: str, taken: set[str]) -> str:
    """``name``, or ``stem-2.ext``, ``stem-3.ext``... when a file of that name is already taken."""
    candidate, n = name, 2
    while candidate in taken:
        candidate = f"{Path(name).stem}-{n}{Path(name).suffix}"
        n += 1
    taken.add(candidate)
    return candidate


def _stamp(when: str) -> str:
    return when.replace(":", "-") or "undated"


def _archive(
    out: Path, student: str, files: dict[str, bytes], manifest: Submission | None, when: str
) -> Path:
    """Keep ``files`` (name -> bytes) in the student's history; returns the folder used."""
    base = history_dir(out, student)
    target, n = base / _stamp(when), 2
    while target.exists():
        target = base / f"{_stamp(when)}-{n}"
        n += 1
    target.mkdir(parents=True)
    for name, data in files.items():
        (target / name).write_bytes(data)
    if manifest is not None:
        (target / "submission.json").write_text(json.dumps(manifest.to_json(), indent=1), encoding="utf-8")
    return target


def _archived_already(out: Path, student: str, new: Submission) -> bool:
    base = history_dir(out, student)
    for folder in base.iterdir() if base.is_dir() else []:
        present = {
            (p.name, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in folder.iterdir()
            if p.is_file() and p.name != "submission.json"
        }
        if present == new.digests():
            return True
    return False


def _store(out: Path, new: Submission, data: dict[str, bytes]) -> str:
    """Make ``new`` the student's submission unless it is the same or older; returns the action."""
    folder = out / new.student_id
    if folder.is_symlink():
        return "skipped: the student's folder in the output is a link"
    current = read_submission(out, new.student_id)
    if current is not None and current.digests() == new.digests():
        return "unchanged"
    if current is not None and new.submitted < current.submitted:
        if not _archived_already(out, new.student_id, new):
            _archive(out, new.student_id, data, new, new.submitted)
        return f"older than the collected submission ({current.submitted}): kept in the history"
    action = "new"
    present = [p for p in folder.iterdir() if p.is_file() and not p.is_symlink()] if folder.is_dir() else []
    if current is not None or present:
        kept = {p.name: p.read_bytes() for p in present}
        moved = _archive(
            out, new.student_id, kept, current, current.submitted if current else "before-collect"
        )
        for p in present:
            p.unlink()
        action = f"replaced (the earlier submission is in {moved.relative_to(out)})"
    folder.mkdir(parents=True, exist_ok=True)
    for entry in new.files:
        target = folder / entry.name
        target.write_bytes(data[entry.name])
        os.utime(target, (entry.timestamp(), entry.timestamp()))
    write_submission(out, new)
    return action


def _group(
    raws: list[Raw], download: Path, now: str
) -> tuple[dict[str, tuple[Submission, dict[str, bytes]]], list[list[str]]]:
    """Submissions per student from the download's members, and log rows for the skipped ones."""
    log: list[list[str]] = []
    mapped: dict[str, list[tuple[Raw, Member]]] = {}
    for raw in raws:
        if raw.skip:
            log.append([now, download.name, str(raw.path), "", "", "", "", raw.skip])
            continue
        if _hidden(raw.path):
            continue
        member = student_of(raw.path)
        if member is None:
            log.append(
                [now, download.name, str(raw.path), "", "", "", "", "skipped: no student id in the name"]
            )
            continue
        mapped.setdefault(member.student, []).append((raw, member))
    found: dict[str, tuple[Submission, dict[str, bytes]]] = {}
    for student, members in mapped.items():
        members.sort(key=lambda rm: (rm[1].attempt or rm[0].when or datetime.min, str(rm[0].path)))
        taken: set[str] = set()
        submission = Submission(student, members[0][1].lms, members[0][1].name, download.name, now)
        data: dict[str, bytes] = {}
        for raw, member in members:
            name = _unique(Path(member.file).name.lstrip(".") or "notebook.ipynb", taken)
            when = (member.attempt or raw.when or datetime.now()).strftime(TIME_FORMAT)
            digest = hashlib.sha256(raw.data).hexdigest()
            submission.files.append(FileEntry(name, str(raw.path), when, digest, member.late))
            data[name] = raw.data
        found[student] = (submission, data)
    return found, log


def _warnings(
    root: Path, assignment: str, found: dict[str, tuple[Submission, dict[str, bytes]]]
) -> list[str]:
    expected = sorted(p.stem for p in (root / "solutions" / assignment).glob("*.ipynb"))
    with_notebooks, matching, without = 0, 0, []
    names: dict[str, int] = {}
    for student, (submission, _) in sorted(found.items()):
        notebooks = [f.name for f in submission.files if f.name.lower().endswith(".ipynb")]
        if not notebooks:
            without.append(student)
            continue
        with_notebooks += 1
        for nb in notebooks:
            names[nb] = names.get(nb, 0) + 1
        stems = [normalised_stem(nb) for nb in notebooks]
        if any(s.endswith(e.lower()) for s in stems for e in expected):
            matching += 1
    warnings = []
    wanted = ", ".join(f"{e}.ipynb" for e in expected)
    if with_notebooks and expected and not matching:
        common = sorted(names, key=lambda n: (-names[n], n))[:SHOWN_NAMES]
        warnings.append(
            f"no notebook in this download is named like {assignment}'s ({wanted}); found "
            + ", ".join(f"{n} ({names[n]}x)" for n in common)
            + f": is this a download of {assignment}?"
        )
    elif expected and matching < with_notebooks:
        warnings.append(
            f"{with_notebooks - matching} of {with_notebooks} students handed in no notebook named like "
            f"{wanted} (a one-notebook assignment grades their only notebook)"
        )
    if without:
        shown = ", ".join(without[:SHOWN_NAMES]) + (
            f" and {len(without) - SHOWN_NAMES} more" if len(without) > SHOWN_NAMES else ""
        )
        warnings.append(f"{len(without)} students handed in no notebook: {shown}")
    return warnings


def _append_log(path: Path, rows: list[list[str]]) -> None:
    new = not path.exists()
    with path.open("a", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        if new:
            writer.writerow(LOG_COLUMNS)
        writer.writerows(rows)


def collect(root: Path, download: Path, assignment: str, out: Path) -> Collected:
    """Copy every file of ``download`` to ``out/<student_id>/`` (see the module's docstring)."""
    if not (download.is_dir() or zipfile.is_zipfile(download)):
        raise SystemExit(f"course collect: {download} is neither a folder nor a zip file")
    if not (root / "solutions" / assignment).is_dir():
        raise SystemExit(f"course collect: no assignment {assignment!r} in {root / 'solutions'}")
    raws = list(_folder_members(download) if download.is_dir() else _zip_members(download))
    now = datetime.now().strftime(TIME_FORMAT)
    found, log = _group(raws, download, now)
    if not found:
        raise SystemExit(f"course collect: no file in {download} could be mapped to a student")
    out.mkdir(parents=True, exist_ok=True)
    result = Collected(warnings=_warnings(root, assignment, found))
    for student, (submission, data) in sorted(found.items()):
        action = _store(out, submission, data)
        result.actions[student] = action
        folder = out / student
        result.students[student] = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
        late = {True: "yes", False: "no", None: ""}
        log += [
            [now, download.name, f.member, student, f.name, f.submitted, late[f.late], action]
            for f in submission.files
        ]
    _append_log(out / "collect_log.csv", log)
    return result
