"""``course collect``: turn an LMS download into ``DIR/<student_id>/`` for ``course grade``.

Input: a ``.zip`` file or a folder. Each notebook (``*.ipynb``, at any depth; nested zips are
not opened) is mapped to a student id by the first rule that matches:

1. **Canvas** — ``lastfirst[_late]_<user id>_<submission id>_<file>``: the user id.
2. **Blackboard** — ``<assignment>_<user>_attempt_<yyyy-mm-dd-hh-mm-ss>_<file>``: the user.
3. **Moodle** — a folder ``<Full Name>_<id>_assignsubmission_file_`` holding the file: the id.
4. **Name and number** — ``<Full Name>_<number>_<file>``: the number.
5. **A folder per student** — ``<student id>/<file>`` (the first folder below the top): its name.

Anything else is reported and skipped. A student id keeps only letters, digits, ``.``, ``-``
and ``_``. The file keeps its name minus the LMS prefix (``course grade`` then also accepts
``rnn_from_scratch (1).ipynb`` and the like); two files of one student with the same name are
both kept, the later one with a ``-2`` suffix. ``__MACOSX`` and hidden entries are ignored.
A file ``collect_log.csv`` in ``DIR`` records every mapping.
"""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path, PurePosixPath

from course_tools.grader.protocol.limits import MAX_NOTEBOOK_BYTES

CANVAS = re.compile(r"^(?P<name>[a-z]+)(?:_late)?_(?P<id>\d+)_(?P<sub>\d+)_(?P<file>.+)$", re.IGNORECASE)
BLACKBOARD = re.compile(r"^.+?_(?P<id>[^_]+)_attempt_\d{4}(?:-\d\d){5}_(?P<file>.+)$")
MOODLE_DIR = re.compile(r"^(?P<name>.+)_(?P<id>\d+)_assignsubmission_file_?$")
NAME_NUMBER = re.compile(r"^(?P<name>[^_]+)_(?P<id>\d+)_(?P<file>.+)$")
UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def student_of(path: PurePosixPath) -> tuple[str, str] | None:
    """(student id, file name) for one member path of the download, or ``None``.

    >>> student_of(PurePosixPath("smithjane_late_12345_67890_rnn_from_scratch.ipynb"))
    ('12345', 'rnn_from_scratch.ipynb')
    >>> student_of(PurePosixPath("A1_jdoe_attempt_2026-03-01-10-00-00_rnn_from_scratch.ipynb"))
    ('jdoe', 'rnn_from_scratch.ipynb')
    >>> student_of(PurePosixPath("Jane Smith_4711_assignsubmission_file_/rnn_from_scratch.ipynb"))
    ('4711', 'rnn_from_scratch.ipynb')
    >>> student_of(PurePosixPath("Student Name_123_rnn_from_scratch (1).ipynb"))
    ('123', 'rnn_from_scratch (1).ipynb')
    >>> student_of(PurePosixPath("s0042/rnn_from_scratch.ipynb"))
    ('s0042', 'rnn_from_scratch.ipynb')
    """
    name = path.name
    for pattern in (CANVAS, BLACKBOARD):
        m = pattern.match(name)
        if m:
            return _clean(m["id"]), m["file"]
    for folder in reversed(path.parts[:-1]):
        m = MOODLE_DIR.match(folder)
        if m:
            return _clean(m["id"]), name
    m = NAME_NUMBER.match(name)
    if m:
        return _clean(m["id"]), m["file"]
    if len(path.parts) >= 2:
        return _clean(path.parts[0]), name
    return None


def _clean(student: str) -> str:
    return UNSAFE.sub("_", student).strip("._") or "unknown"


def _members(download: Path) -> list[tuple[PurePosixPath, bytes]]:
    if download.is_dir():
        return [
            (PurePosixPath(p.relative_to(download).as_posix()), p.read_bytes())
            for p in sorted(download.rglob("*.ipynb"))
            if p.is_file() and p.stat().st_size <= MAX_NOTEBOOK_BYTES
        ]
    with zipfile.ZipFile(download) as archive:
        out = []
        for info in archive.infolist():
            path = PurePosixPath(info.filename)
            if info.is_dir() or path.suffix != ".ipynb" or info.file_size > MAX_NOTEBOOK_BYTES:
                continue
            out.append((path, archive.read(info)))
        return out


def collect(root: Path, download: Path, assignment: str, out: Path) -> dict[str, list[str]]:
    """Copy every notebook of ``download`` to ``out/<student_id>/``; returns files per student."""
    if not (download.is_dir() or zipfile.is_zipfile(download)):
        raise SystemExit(f"course collect: {download} is neither a folder nor a zip file")
    if not (root / "solutions" / assignment).is_dir():
        raise SystemExit(f"course collect: no assignment {assignment!r} in {root / 'solutions'}")
    out.mkdir(parents=True, exist_ok=True)
    found: dict[str, list[str]] = {}
    log = [("member", "student_id", "file", "rule")]
    for path, data in _members(download):
        if any(part.startswith(".") or part == "__MACOSX" for part in path.parts):
            continue
        mapped = student_of(path)
        if mapped is None:
            log.append((str(path), "", "", "skipped: no student id in the name"))
            continue
        student, name = mapped
        name = Path(name).name or "notebook.ipynb"
        target = out / student / name
        n = 2
        while target.exists():
            target = out / student / f"{Path(name).stem}-{n}.ipynb"
            n += 1
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        found.setdefault(student, []).append(target.name)
        log.append((str(path), student, target.name, "mapped"))
    with (out / "collect_log.csv").open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(log)
    if not found:
        raise SystemExit(f"course collect: no notebook in {download} could be mapped to a student")
    return found
