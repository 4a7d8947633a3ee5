"""Name the mistake: the misconception catalogue and the checks that recognise its entries.

Each assignment's catalogue is data, ``course_lib/misconceptions/<assignment>.toml``: one entry
per mistake students really make (what it is, why it is tempting, how to see it, the message a
student gets). A hidden test recognises an entry by running its *oracle with the mistake* (gates
permuted, ``Wh`` transposed, the bias dropped) and comparing: when the student's result equals
that and not the right one, the failure names the mistake. Anything else stays a generic
"wrong values" failure, never a guess. ``course misconceptions`` writes the book's page from the
same files.

>>> d = Diagnosis("a1_rnn", "rnn_step_forward")
>>> right, sigmoid = np.tanh(0.5), 1 / (1 + np.exp(-0.5))
>>> d.check(right, right, name="h_next")
>>> d.check(sigmoid, right, name="h_next",
...         mistakes={"sigmoid-for-tanh": lambda: sigmoid})  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
course_lib.diagnosis.NamedMistake: h_next is sigmoid(...), not tanh(...): ... [common mistake: ...]
"""
from __future__ import annotations

import sys
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from course_lib.grading import (
    ATOL_FLOAT64,
    REFERENCE_REFUSED,
    RTOL_FLOAT64,
    _to_numpy,
    assert_close,
    assert_unchanged,
)

CATALOGUE_DIR = Path(__file__).resolve().parent / "misconceptions"
MESSAGE_CHARS = 200  # a message must fit grades.csv's one-line status with the verdict around it
# what a wrong answer raises (a test catches these to explain a failure; never a grader's timeout)
FAILURES = (AssertionError, ArithmeticError, LookupError, TypeError, ValueError, RuntimeError, AttributeError)
FIELDS = ("id", "exercises", "mistake", "tempting", "see", "message")


@dataclass(frozen=True)
class Misconception:
    """One entry of a catalogue: a mistake, and the sentence that names it to a student."""

    id: str
    exercises: tuple[str, ...]
    mistake: str  # what the mistake is
    tempting: str  # why it is tempting
    see: str  # how to see it in your own output
    message: str  # what a student's failing check says

    def tagged(self) -> str:
        """The message with its id, so the student can look the entry up in the book."""
        return f"{self.message} [common mistake: {self.id}]"


@dataclass(frozen=True)
class Catalogue:
    """An assignment's misconceptions and its exercises' numbers (as the notebook counts them)."""

    assignment: str
    title: str
    exercises: Mapping[str, int]
    entries: Mapping[str, Misconception]

    def number(self, exercise: str) -> str:
        n = self.exercises.get(exercise)
        return f"exercise {n} ({exercise})" if n is not None else exercise


def load(assignment: str, directory: Path = CATALOGUE_DIR) -> Catalogue:
    """Read and check ``<directory>/<assignment>.toml``.

    Every entry has the six fields, a unique id, known exercises, and a message of at most
    :data:`MESSAGE_CHARS` characters on one line.
    """
    path = directory / f"{assignment}.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    exercises = {str(k): int(v) for k, v in data.get("exercises", {}).items()}
    entries: dict[str, Misconception] = {}
    for raw in data.get("misconception", []):
        missing = [f for f in FIELDS if not raw.get(f)]
        if missing:
            raise ValueError(f"{path.name}: entry {raw.get('id', '?')!r} lacks {missing}")
        entry = Misconception(
            raw["id"], tuple(raw["exercises"]), *(" ".join(str(raw[f]).split()) for f in FIELDS[2:])
        )
        if entry.id in entries:
            raise ValueError(f"{path.name}: two entries are called {entry.id!r}")
        unknown = [e for e in entry.exercises if e not in exercises]
        if unknown:
            raise ValueError(f"{path.name}: entry {entry.id!r} names unknown exercises {unknown}")
        if len(entry.message) > MESSAGE_CHARS:
            raise ValueError(f"{path.name}: entry {entry.id!r}: message over {MESSAGE_CHARS} characters")
        entries[entry.id] = entry
    return Catalogue(assignment, str(data.get("title", assignment)), exercises, entries)


def assignments(directory: Path = CATALOGUE_DIR) -> list[str]:
    """The assignments that have a catalogue."""
    return sorted(p.stem for p in directory.glob("*.toml"))


def cascade_message(catalogue: Catalogue, exercise: str, uses: str) -> str:
    """What a failure says when it comes from a function ``exercise`` calls that fails its own checks.

    >>> a1 = load("a1_rnn")
    >>> print(cascade_message(a1, "rnn_forward", "rnn_step_forward"))  # doctest: +NORMALIZE_WHITESPACE
    rnn_forward uses your rnn_step_forward, which fails its own checks:
    fix exercise 2 (rnn_step_forward) first
    """
    return f"{exercise} uses your {uses}, which fails its own checks: fix {catalogue.number(uses)} first"


def _close(a: Any, e: Any, rtol: float, atol: float) -> bool:
    try:
        a64, e64 = _to_numpy(a).astype(np.float64), _to_numpy(e).astype(np.float64)
    except (TypeError, ValueError):
        return False
    return a64.shape == e64.shape and bool(np.allclose(a64, e64, rtol=rtol, atol=atol, equal_nan=True))


def _value(candidate: Any) -> Any:
    """A candidate given as a value or as a function to call (only when needed); None if it fails."""
    if not callable(candidate):
        return candidate
    try:
        return candidate()
    except FAILURES:  # a mistaken oracle that cannot run recognises nothing
        return None


class Diagnosis:
    """Checks for one exercise that name the misconception a wrong result shows.

    ``mistakes`` maps a catalogue id to the result the oracle gives *with that mistake* (a value,
    or a function returning it, called only when the right comparison fails); ``"id/variant"`` keys
    give several ways of making the same mistake.
    """

    def __init__(self, assignment: str, exercise: str) -> None:
        self.catalogue = load(assignment)
        if exercise not in self.catalogue.exercises:
            raise ValueError(f"{assignment} has no exercise {exercise!r}")
        self.exercise = exercise

    def entry(self, misconception: str) -> Misconception:
        entry = self.catalogue.entries[misconception]
        if self.exercise not in entry.exercises:
            raise ValueError(f"{misconception!r} is not listed for {self.exercise}")
        return entry

    def fail(self, misconception: str, detail: str = "") -> NoReturn:
        """Fail with the catalogue's message for ``misconception`` (after ``detail``, if given)."""
        __tracebackhide__ = True  # noqa: F841  (IPython and pytest then show the test's line)
        message = self.entry(misconception).tagged()
        _raise(f"{detail}: {message}" if detail else message)

    def unchanged(self, function: str, passed: Mapping[str, Any], originals: Mapping[str, Any]) -> None:
        """:func:`~course_lib.grading.assert_unchanged`, failing with ``changed-argument-in-place``."""
        __tracebackhide__ = True  # noqa: F841
        try:
            assert_unchanged(function, passed, originals)
        except AssertionError as exc:
            self.fail("changed-argument-in-place", str(exc))

    def recognise(
        self, actual: Any, expected: Any, mistakes: Mapping[str, Any], *, rtol: float, atol: float
    ) -> str | None:
        """The misconception whose oracle gives ``actual`` (and not ``expected``), if exactly one does.

        Two that give the same result cannot be told apart on this input: neither is named.
        """
        for key in mistakes:
            self.entry(key.split("/")[0])  # a typo in a test is the test's bug: say so at once
        found = set()
        for key, candidate in mistakes.items():  # "id/variant": one of several ways to make mistake id
            value = _value(candidate)
            if value is None or _close(value, expected, rtol, atol):
                continue  # this input cannot tell the mistake from the right answer
            if _close(actual, value, rtol, atol):
                found.add(key.split("/")[0])
        return found.pop() if len(found) == 1 else None

    def check(
        self,
        actual: Any,
        expected: Any,
        *,
        name: str,
        mistakes: Mapping[str, Any] | None = None,
        uses: Mapping[str, Callable[[], bool | str | None]] | None = None,
        rtol: float = RTOL_FLOAT64,
        atol: float = ATOL_FLOAT64,
    ) -> None:
        """Assert ``actual`` agrees with ``expected``; when it does not, say why as precisely as known.

        In order: a misconception of ``mistakes`` whose result ``actual`` equals; else a cascade,
        ``uses`` mapping each of the student's functions this exercise calls to a function that
        says whether *that* function gave this wrong result (typically: ``actual`` equals the
        right computation run with the student's function, and that function fails its own
        check); else :func:`~course_lib.grading.assert_close`'s "differs" message.
        """
        __tracebackhide__ = True  # noqa: F841
        if _close(actual, expected, rtol, atol):
            return
        found = self.recognise(actual, expected, mistakes or {}, rtol=rtol, atol=atol)
        if found is not None:
            self.fail(found)
        self.check_uses(uses)
        assert_close(actual, expected, name=name, rtol=rtol, atol=atol)

    def check_uses(self, uses: Mapping[str, Callable[[], bool | str | None]] | None) -> None:
        """Raise the cascade message for the first used function that is to blame (call it where a
        check of this exercise failed, e.g. in ``except``: the cascade message then replaces it)."""
        __tracebackhide__ = True  # noqa: F841
        handled = sys.exc_info()[1]
        if handled is not None and REFERENCE_REFUSED in str(handled):
            return  # the exercise called course_lib's reference: that message stands
        for function, to_blame in (uses or {}).items():
            try:
                blamed = to_blame()
            except FAILURES:  # the probe itself broke: blame nobody rather than guess
                blamed = False
            if blamed:  # True, or a string: the first check that function fails
                detail = f"\n(first failing check: {blamed})" if isinstance(blamed, str) else ""
                _raise(cascade_message(self.catalogue, self.exercise, function) + detail)


class NamedMistake(AssertionError):
    """A failed check that names its cause: a misconception of the catalogue, or a cascade.

    The grader prefers it to a generic failure of the same test cell (a visible check's "differs"
    gives way to a hidden check that names the mistake)."""


def _raise(message: str) -> NoReturn:
    """Raise the failure (without the exception being handled when it was raised, if any)."""
    raise NamedMistake(message) from None
