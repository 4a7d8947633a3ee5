"""What ``course grade`` and its judge processes (grading slots) tell each other, one JSON line
at a time: the configuration first, then requests, each answered by one line.

``course grade`` (:mod:`course_tools.grader.cohort.grade`) writes requests and reads answers;
a slot (:mod:`course_tools.grader.cohort.slot`) reads requests and writes answers. Both sides
build and read these records, never the JSON by hand.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from course_tools.grader.protocol.limits import Limits
from course_tools.grader.protocol.records import Row, SourceCell


@dataclass
class Calibration:
    """What grading the instructor's solution taught every slot."""

    blocked: list[list[str]] = field(
        default_factory=list
    )  # course_lib references to block: [module, qualname]
    fallback: dict[str, list[str]] = field(
        default_factory=dict
    )  # notebook -> test cells judged in the sandbox

    def to_json(self) -> dict[str, Any]:
        return {"blocked": self.blocked, "fallback": self.fallback}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Calibration:
        return cls(
            blocked=[list(b) for b in data.get("blocked") or []],
            fallback={str(nb): list(ids) for nb, ids in (data.get("fallback") or {}).items()},
        )


@dataclass
class SlotConfig:
    """The first line a slot reads: the assignment's source cells and how to grade."""

    assignment: str
    notebooks: dict[str, list[SourceCell]]  # notebook name -> the source notebook's cells
    limits: Limits
    sandboxed: bool
    cell_timeout: float
    notebook_timeout: float
    out: str | None  # where feedback pages go (None: none written)
    slot: int = 0  # the sandbox uid's offset (sandbox.UID_BASE + slot)
    calibration: Calibration = field(default_factory=Calibration)

    def to_json(self) -> dict[str, Any]:
        return {
            "assignment": self.assignment,
            "notebooks": {name: [c.to_json() for c in cells] for name, cells in self.notebooks.items()},
            "limits": asdict(self.limits),
            "sandboxed": self.sandboxed,
            "cell_timeout": self.cell_timeout,
            "notebook_timeout": self.notebook_timeout,
            "out": self.out,
            "slot": self.slot,
            **self.calibration.to_json(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SlotConfig:
        return cls(
            assignment=str(data["assignment"]),
            notebooks={
                str(name): [SourceCell.from_json(c) for c in cells]
                for name, cells in data["notebooks"].items()
            },
            limits=Limits(**data["limits"]),
            sandboxed=bool(data["sandboxed"]),
            cell_timeout=float(data["cell_timeout"]),
            notebook_timeout=float(data["notebook_timeout"]),
            out=data.get("out"),
            slot=int(data.get("slot", 0)),
            calibration=Calibration.from_json(data),
        )


# -- requests (course grade -> slot) ---------------------------------------------------------
@dataclass(frozen=True)
class GradeStudent:
    student: str
    folder: str


@dataclass(frozen=True)
class Calibrate:
    """Grade the solution in ``folder`` like a student; answered by :class:`Calibrated`."""

    folder: str


@dataclass(frozen=True)
class Configure:
    """Every slot learns the calibration before the first student; answered by an empty line ``{}``."""

    calibration: Calibration


Request = GradeStudent | Calibrate | Configure


def request_line(request: Request) -> str:
    if isinstance(request, GradeStudent):
        body: dict[str, Any] = {"student": request.student, "folder": request.folder}
    elif isinstance(request, Calibrate):
        body = {"calibrate": request.folder}
    else:
        body = {"configure": request.calibration.to_json()}
    return json.dumps(body) + "\n"


def read_request(line: str) -> Request:
    data = json.loads(line)
    if "configure" in data:
        return Configure(Calibration.from_json(data["configure"]))
    if "calibrate" in data:
        return Calibrate(str(data["calibrate"]))
    return GradeStudent(str(data["student"]), str(data["folder"]))


# -- answers (slot -> course grade) ----------------------------------------------------------
@dataclass(frozen=True)
class Graded:
    rows: list[Row]
    seconds: float  # in the judge, for this student


@dataclass(frozen=True)
class Calibrated:
    failures: dict[str, dict[str, str]]  # notebook -> grade_id -> status, of test cells that did not pass
    blocked: list[list[str]]


@dataclass(frozen=True)
class Failed:
    error: str  # "grader error: ..."


@dataclass(frozen=True)
class Configured:
    pass


Answer = Graded | Calibrated | Failed | Configured


def answer_line(answer: Answer) -> str:
    if isinstance(answer, Graded):
        body: dict[str, Any] = {"rows": [r.to_json() for r in answer.rows], "seconds": answer.seconds}
    elif isinstance(answer, Calibrated):
        body = {"failures": answer.failures, "blocked": answer.blocked}
    elif isinstance(answer, Failed):
        body = {"error": answer.error}
    else:
        body = {}
    return json.dumps(body) + "\n"


def read_answer(line: str) -> Answer:
    data = json.loads(line)
    if "rows" in data:
        return Graded([Row.from_json(r) for r in data["rows"]], float(data.get("seconds", 0.0)))
    if "failures" in data:
        return Calibrated(dict(data["failures"]), [list(b) for b in data.get("blocked") or []])
    if "error" in data:
        return Failed(str(data["error"]))
    return Configured()
