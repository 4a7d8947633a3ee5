"""Every assignment, graded end to end through `course grade`, one run per assignment.

The solution must earn full marks, the unanswered release zero, and each case file in
tests/submissions/<assignment>/ exactly the verdict its EXPECT states: correct-but-different
answers full marks, each plausible bug zero on the exercise it breaks.
"""
from __future__ import annotations

import pytest

from assignment_harness import CASES, ROOT, cases, grade_all, named

ASSIGNMENTS = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    memo = {}

    def get(assignment: str):
        if assignment not in memo:
            memo[assignment] = grade_all(assignment, tmp_path_factory.mktemp(assignment))
        return memo[assignment]

    return get


def _params():
    for assignment in ASSIGNMENTS:
        marks = [pytest.mark.slow]  # `make test` distributes by file: one worker grades all
        yield pytest.param(assignment, "solution", None, marks=marks, id=f"{assignment}-solution")
        yield pytest.param(assignment, "release", None, marks=marks, id=f"{assignment}-release")
        for case in cases(assignment):
            gap = [pytest.mark.xfail(strict=True, reason=case.known_gap)] if case.known_gap else []
            yield pytest.param(assignment, case.name, case, marks=marks + gap, id=f"{assignment}-{case.name}")


@pytest.mark.parametrize("assignment, student, case", list(_params()))
def test_verdict(graded, assignment, student, case):
    results = graded(assignment)[student]
    assert results, f"no rows for {student}"
    for exercise, (score, max_score, statuses) in results.items():
        if student == "solution":
            expected = 1.0
            # every test cell judged by the trusted judge, none by the in-sandbox fallback
            assert all(s.endswith(": passed") for s in statuses), "\n".join(statuses)
        elif student == "release":
            expected = 0.0
        else:
            expected = case.expect.get(exercise, 1.0)
        got = score / max_score if max_score else 0.0
        assert got == pytest.approx(expected), (
            f"{assignment}/{student} ({case.doc if case else student}): exercise {exercise} scored "
            f"{score:g}/{max_score:g}, expected fraction {expected:g}\n  " + "\n  ".join(statuses))
        if case and case.misconception and exercise in case.misconception:
            texts = named(assignment, exercise, case.misconception[exercise])
            assert any(t in s for s in statuses for t in texts), (
                f"{assignment}/{student} ({case.doc}): the status of {exercise} does not name the mistake "
                f"{case.misconception[exercise]!r} (expected {texts[0]!r})\n  " + "\n  ".join(statuses))
        if case and exercise in case.status:
            assert any(case.status[exercise] in s for s in statuses), (
                f"{assignment}/{student}: no status of exercise {exercise} says {case.status[exercise]!r}\n  "
                + "\n  ".join(statuses))


def test_cases_exist_for_every_assignment():
    for assignment in ASSIGNMENTS:
        found = cases(assignment)
        assert len(found) >= 5, f"tests/submissions/{assignment}/ needs correct and buggy cases; has {len(found)}"
        assert any(not c.expect for c in found), f"{assignment}: no correct-but-different case"
        assert (CASES / assignment).is_dir()


# assignments whose every bug names its mistake (MISCONCEPTION) for every exercise it fails
DIAGNOSED = ["a1_rnn", "a2_lstm", "a3_packing", "a4_attention", "a5_charlm", "a6_seq2seq"]


@pytest.mark.parametrize("assignment", DIAGNOSED)
def test_every_bug_says_which_mistake_it_is(assignment):
    from course_lib.diagnosis import load

    catalogue = load(assignment)
    for case in cases(assignment):
        if not case.name.startswith("bug_"):
            continue
        failing = {e for e, v in case.expect.items() if v < 1}
        missing = failing - set(case.misconception)
        assert not missing, f"{assignment}/{case.name}: MISCONCEPTION names no mistake for {sorted(missing)}"
        for exercise, what in case.misconception.items():
            assert exercise in catalogue.exercises, f"{assignment}/{case.name}: no exercise {exercise!r}"
            if what.startswith("uses "):
                assert what.removeprefix("uses ") in catalogue.exercises, f"{case.name}: {what!r}"
            elif what not in ("wrong values", "timeout") and not what.startswith("raises "):
                assert what in catalogue.entries, f"{assignment}/{case.name}: {what!r} is not in the catalogue"
                assert exercise in catalogue.entries[what].exercises, (
                    f"{assignment}/{case.name}: {what!r} is not listed for {exercise}")
