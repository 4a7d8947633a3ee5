"""How LMS downloads name their files: a member's student, its own file name, and what the LMS says.

A member path of a download (a ``.zip`` entry, or a file below a downloaded folder) is mapped by
the first rule that matches:

1. **Canvas** — ``lastfirst[_late]_<user id>_<submission id>_<file>``: the Canvas user id (the
   ``ID`` column of Canvas's gradebook). ``_late`` is Canvas's late flag.
2. **Blackboard** — ``<assignment>_<user>_attempt_<yyyy-mm-dd-hh-mm-ss>_<file>``: the user name;
   the attempt's time is the submission's time.
3. **Moodle** — a folder ``<Full Name>_<id>_assignsubmission_<plugin>_`` holding the file (or,
   without folders, ``<Full Name>_<id>_assignsubmission_<plugin>_<file>``; ``<plugin>`` is
   ``file`` or ``onlinetext``): Moodle's participant id (``Participant <id>`` in its grading
   worksheet).
4. **Name and number** — ``<Full Name>_<number>_<file>``: the number.
5. **A folder per student** — ``<student id>/<file>`` (the first folder below the top): its name.

A student id keeps only letters, digits, ``.``, ``-`` and ``_``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath

CANVAS = re.compile(
    r"^(?P<name>[a-z]+)(?P<late>_late)?_(?P<id>\d+)_(?P<sub>\d+)_(?P<file>.+)$", re.IGNORECASE
)
BLACKBOARD = re.compile(
    r"^(?P<assignment>.+?)_(?P<id>[^_]+)_attempt_(?P<time>\d{4}(?:-\d\d){5})_(?P<file>.+)$"
)
MOODLE = r"(?P<name>.+)_(?P<id>\d+)_assignsubmission_(?:file|onlinetext)_"
MOODLE_DIR = re.compile(rf"^{MOODLE}?$")
MOODLE_FLAT = re.compile(rf"^{MOODLE}(?P<file>.+)$")
NAME_NUMBER = re.compile(r"^(?P<name>[^_]+)_(?P<id>\d+)_(?P<file>.+)$")
UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
BLACKBOARD_TIME = "%Y-%m-%d-%H-%M-%S"

RULES_HELP = """\
How files are mapped to students (the first rule that matches a member's name):
  Canvas      lastfirst[_late]_<user id>_<submission id>_<file>      -> the Canvas user id
              (_late: Canvas's late flag, kept in the grades)
  Blackboard  <assignment>_<user>_attempt_<yyyy-mm-dd-hh-mm-ss>_<file> -> the user name
  Moodle      <Full Name>_<id>_assignsubmission_file_/<file> (or _onlinetext_, with or
              without the folder)                                    -> the participant id
  otherwise   <Full Name>_<number>_<file>                            -> the number
              <student id>/<file> (a folder per student)             -> the folder's name
Every file is kept (a .pdf, .py or onlinetext.html too: such a student gets rows saying what was
handed in); links, hidden files, __MACOSX and paths leaving the download are skipped."""


@dataclass(frozen=True)
class Member:
    """What a member's path says: whose it is, its own file name, and the LMS's own data."""

    student: str
    file: str
    lms: str  # canvas, blackboard, moodle, name-number, folder
    name: str = ""  # the student's name as the LMS wrote it (Canvas: lastfirst; Moodle: full name)
    late: bool | None = None  # the LMS's late flag; None when the LMS does not say
    attempt: datetime | None = None  # the submission's time, when the name carries it


def student_of(path: PurePosixPath) -> Member | None:
    """The student and file a member path of a download belongs to, or ``None``.

    >>> def show(text):
    ...     m = student_of(PurePosixPath(text))
    ...     return m.student, m.file, m.lms, m.name, m.late
    >>> show("smithjane_late_12345_67890_rnn_from_scratch.ipynb")
    ('12345', 'rnn_from_scratch.ipynb', 'canvas', 'smithjane', True)
    >>> student_of(PurePosixPath("A1_jdoe_attempt_2026-03-01-10-00-00_rnn_from_scratch.ipynb")).attempt
    datetime.datetime(2026, 3, 1, 10, 0)
    >>> show("Jane Smith_4711_assignsubmission_file_/rnn_from_scratch.ipynb")
    ('4711', 'rnn_from_scratch.ipynb', 'moodle', 'Jane Smith', None)
    >>> show("Jane Smith_4711_assignsubmission_onlinetext_onlinetext.html")
    ('4711', 'onlinetext.html', 'moodle', 'Jane Smith', None)
    >>> show("Student Name_123_rnn_from_scratch (1).ipynb")
    ('123', 'rnn_from_scratch (1).ipynb', 'name-number', 'Student Name', None)
    >>> show("s0042/rnn_from_scratch.ipynb")
    ('s0042', 'rnn_from_scratch.ipynb', 'folder', '', None)
    """
    name = path.name
    m = CANVAS.match(name)
    if m:
        return Member(_clean(m["id"]), m["file"], "canvas", m["name"], late=bool(m["late"]))
    m = BLACKBOARD.match(name)
    if m:
        when = datetime.strptime(m["time"], BLACKBOARD_TIME)
        return Member(_clean(m["id"]), m["file"], "blackboard", m["id"], attempt=when)
    for folder in reversed(path.parts[:-1]):
        m = MOODLE_DIR.match(folder)
        if m:
            return Member(_clean(m["id"]), name, "moodle", m["name"])
    m = MOODLE_FLAT.match(name)
    if m:
        return Member(_clean(m["id"]), m["file"], "moodle", m["name"])
    m = NAME_NUMBER.match(name)
    if m:
        return Member(_clean(m["id"]), m["file"], "name-number", m["name"])
    if len(path.parts) >= 2:
        return Member(_clean(path.parts[0]), name, "folder")
    return None


def _clean(student: str) -> str:
    return UNSAFE.sub("_", student).strip("._") or "unknown"
