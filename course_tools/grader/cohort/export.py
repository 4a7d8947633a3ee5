"""``course export OUT --format canvas|moodle|csv``: the grades as a file an LMS imports as it is.

Student ids are the ones ``course collect`` recorded from the download's names (its manifest in
``SUBMISSIONS/.collect/``, found through ``OUT/run.json``), so each LMS gets its own kind of id:

- **canvas**: Canvas's gradebook import CSV (Grades > Import). Columns as Canvas's own
  gradebook export has them: ``Student``, ``ID`` (the Canvas user id of the download's
  ``lastfirst_<user id>_<submission id>_<file>`` names, which Canvas matches first),
  ``SIS User ID``, ``SIS Login ID``, ``Section`` (left empty: Canvas matches on ``ID``), then one
  column per assignment, here ``--column`` (default: the assignment's name; Canvas updates an
  existing assignment when the header is ``Name (assignment id)`` and creates a new one
  otherwise), and a second row ``Points Possible`` with the maximum.
- **moodle**: Moodle's assignment grading worksheet (Assignment > Grading action > Upload
  grading worksheet, with "Offline grading worksheet" enabled in the assignment's feedback
  types): ``Identifier`` (``Participant <id>``, the participant id of the download's
  ``<Full Name>_<id>_assignsubmission_file_`` names, which the worksheet maps back to the
  user), ``Full name``, ``Grade``, ``Maximum Grade`` and ``Last modified (grade)`` (the three
  columns Moodle's importer requires are Identifier, Grade and Last modified (grade)). The
  course gradebook's own CSV import cannot map participant ids; use it with ``--format csv``
  only where the student ids are Moodle user ids, e-mail addresses or ID numbers.
- **csv**: ``student_id,name,score,max_score,percent,late`` for anything else.

Students without an id of that LMS (a folder per student, another LMS) are left out and named.
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from course_tools.grader.cohort.manifest import Submission, read_submission
from course_tools.grader.cohort.run import by_student, read_rows, read_run

CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_POINTS_ROW = "Points Possible"
MOODLE_COLUMNS = ["Identifier", "Full name", "Grade", "Maximum Grade", "Last modified (grade)"]
MOODLE_PARTICIPANT = "Participant "  # Moodle's `hiddenuser` string, before the participant id
MOODLE_TIME = "%Y-%m-%d %H:%M:%S"  # read by PHP's strtotime
CSV_COLUMNS = ["student_id", "name", "score", "max_score", "percent", "late"]
FORMATS = {"canvas": "canvas", "moodle": "moodle", "csv": None}  # format -> the LMS its ids must come from


def _totals(out: Path) -> dict[str, tuple[float, float]]:
    return {
        student: (sum(r.score for r in rows), sum(r.max_score for r in rows))
        for student, rows in by_student(read_rows(out / "grades.csv")).items()
    }


def export(
    out: Path, fmt: str, *, to: Path | None = None, column: str | None = None, submissions: Path | None = None
) -> tuple[Path, list[str]]:
    """Write the export file of run ``out``; returns its path and the students left out."""
    if fmt not in FORMATS:
        raise SystemExit(f"course export: --format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    info = read_run(out)
    if info is None or not (out / "grades.csv").is_file():
        raise SystemExit(
            f"course export: {out} holds no finished `course grade` run (no run.json/grades.csv)"
        )
    folder = submissions or Path(info.submissions)
    totals = _totals(out)
    found: dict[str, Submission | None] = {s: read_submission(folder, s) for s in totals}
    wanted = FORMATS[fmt]
    left_out = sorted(s for s, sub in found.items() if wanted and (sub is None or sub.lms != wanted))
    target = to or out / f"export_{fmt}.csv"
    stamp = datetime.now().strftime(MOODLE_TIME)
    with target.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        if fmt == "canvas":
            writer.writerow([*CANVAS_COLUMNS, column or info.assignment])
            possible = max((p for _, p in totals.values()), default=0.0)
            writer.writerow([CANVAS_POINTS_ROW, "", "", "", "", f"{possible:g}"])
        elif fmt == "moodle":
            writer.writerow(MOODLE_COLUMNS)
        else:
            writer.writerow(CSV_COLUMNS)
        for student, (score, possible) in sorted(totals.items()):
            if student in left_out:
                continue
            sub = found[student]
            name = sub.name if sub else ""
            if fmt == "canvas":
                writer.writerow([name, student, "", "", "", f"{score:g}"])
            elif fmt == "moodle":
                writer.writerow(
                    [f"{MOODLE_PARTICIPANT}{student}", name, f"{score:g}", f"{possible:g}", stamp]
                )
            else:
                late = {True: "yes", False: "no", None: ""}[sub.late if sub else None]
                percent = f"{100 * score / possible:.1f}" if possible else ""
                writer.writerow([student, name, f"{score:g}", f"{possible:g}", percent, late])
    return target, left_out
