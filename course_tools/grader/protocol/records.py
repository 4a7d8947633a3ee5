"""The grader's records, defined once: a source notebook's cells, the program a judge runs, what
happened to each cell, and a row of ``grades.csv``.

They travel from ``course grade`` to its judge processes and back as JSON (``to_json`` /
``from_json``: plain dicts of the same field names), and within a judge from the intake to the
judge to the feedback page as these objects.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from enum import Enum
from typing import Any, ClassVar

from course_tools.grader.protocol.limits import RECORD_STATUS_CHARS, ROW_STATUS_CHARS


def one_line(text: str, limit: int = RECORD_STATUS_CHARS) -> str:
    """``text`` on one line (runs of white space become one space), cut to ``limit`` characters.

    >>> one_line("failed:\\n  AssertionError", 14)
    'failed: Asser…'
    """
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class CellKind(str, Enum):
    """The role a cell of the instructor's source notebook has, from its nbgrader metadata."""

    TEST = "test"  # an autograder test cell (grade, not solution): the judge runs it, it scores
    ANSWER = "answer"  # an autograded answer (solution): the student's code
    LOCKED = "locked"  # locked, with a grade_id, not graded (setup): runs in its source version
    MARKDOWN = "markdown"  # any non-code cell
    OTHER = "other"  # a code cell with no nbgrader role: runs as the student's file has it


@dataclass(frozen=True)
class SourceCell:
    """One cell of the instructor's source notebook (``solutions/<A>/<NB>.ipynb``)."""

    kind: CellKind
    grade_id: str
    points: float
    source: str

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "kind": self.kind.value}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SourceCell:
        return cls(CellKind(data["kind"]), str(data["grade_id"]), float(data["points"]), str(data["source"]))


class StepKind(str, Enum):
    """Who runs a step of the program: the sandboxed worker (student) or the judge (test)."""

    STUDENT = "student"
    TEST = "test"


@dataclass(frozen=True)
class StudentStep:
    """A cell of the student's notebook (or a locked cell put back), run in the worker."""

    source: str
    label: str = ""  # its grade_id, if any
    kind: ClassVar[StepKind] = StepKind.STUDENT


@dataclass(frozen=True)
class TestStep:
    """A test cell of the source notebook, judged at this place of the student's notebook."""

    __test__ = False  # not a pytest test class

    grade_id: str
    points: float
    source: str
    kind: ClassVar[StepKind] = StepKind.TEST

    @classmethod
    def of(cls, cell: SourceCell) -> TestStep:
        return cls(cell.grade_id, cell.points, cell.source)


Step = StudentStep | TestStep


@dataclass
class CellRecord:
    """What happened to one step of the program (for the feedback page and the status)."""

    kind: StepKind
    label: str
    source: str
    output: str = ""
    error: str = ""
    grade_id: str = ""
    score: float = 0.0
    max_score: float = 0.0
    status: str = ""
    hidden_output_chars: int = 0


@dataclass
class NotebookResult:
    """A judged notebook: a record per step, and the references its tests blocked."""

    cells: list[CellRecord] = field(default_factory=list)
    blocked: list[list[str]] = field(default_factory=list)

    def tests(self) -> list[CellRecord]:
        return [r for r in self.cells if r.kind == StepKind.TEST]


@dataclass(frozen=True)
class Row:
    """One line of ``grades.csv``: one student's score on one test cell."""

    student_id: str
    assignment: str
    notebook: str
    grade_id: str
    score: float
    max_score: float
    status: str

    @classmethod
    def of(
        cls, student: str, assignment: str, notebook: str, cell: SourceCell, score: float, status: str
    ) -> Row:
        """The row for ``cell`` (points from the source), its status on one bounded line."""
        return cls(
            student,
            assignment,
            notebook,
            cell.grade_id,
            score,
            cell.points,
            one_line(status, ROW_STATUS_CHARS),
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Row:
        return cls(**{f.name: data[f.name] for f in fields(cls)})

    def csv_fields(self) -> list[str]:
        """The row as ``grades.csv`` writes it (scores as ``%g``)."""
        return [
            self.student_id,
            self.assignment,
            self.notebook,
            self.grade_id,
            f"{self.score:g}",
            f"{self.max_score:g}",
            self.status,
        ]


COLUMNS = [f.name for f in fields(Row)]  # the header of grades.csv
