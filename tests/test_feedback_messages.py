"""Feedback that names the mistake: the misconception catalogue and its book page, the diagnostics,
whole messages in the judge and on the feedback page, the count of hidden checks a passing visible
check announces, `course check`, and notebooks with large stored outputs."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import tracemalloc
from pathlib import Path

import nbformat
import numpy as np
import pytest

from course_lib import diagnosis
from course_lib.diagnosis import Diagnosis, cascade_message, load
from course_tools.build.misconceptions import PAGE, render, verbatim
from course_tools.build.source import announce_hidden, count_checks
from course_tools.grader.cohort.feedback import render as render_feedback
from course_tools.grader.cohort.feedback import write_results
from course_tools.grader.cohort.intake import read_notebook
from course_tools.grader.judge.cells import failure_status
from course_tools.grader.protocol.limits import MAX_NOTEBOOK_BYTES, STREAM_FROM_BYTES
from course_tools.grader.protocol.records import CellRecord, Row, StepKind, one_line

ROOT = Path(__file__).resolve().parent.parent
HEADING = re.compile(r"^## Exercise (\d+)\b", re.MULTILINE)


# -- the catalogue and its page ---------------------------------------------------------------
@pytest.mark.parametrize("assignment", diagnosis.assignments())
def test_catalogue_loads_and_numbers_exercises_as_the_notebook_does(assignment):
    catalogue = load(assignment)
    assert catalogue.entries, f"{assignment}: an empty catalogue"
    (path,) = (ROOT / "solutions" / assignment).glob("*.ipynb")
    numbers, current = {}, None
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "markdown" and HEADING.search(cell.source):
            current = int(HEADING.search(cell.source).group(1))
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            numbers[grade_id] = current
    assert dict(catalogue.exercises) == numbers
    for entry in catalogue.entries.values():
        assert len(entry.message) <= diagnosis.MESSAGE_CHARS and "\n" not in entry.message


def test_catalogue_rejects_a_broken_entry(tmp_path):
    good = '[exercises]\nf = 1\n[[misconception]]\nid = "x"\nexercises = ["f"]\n' + "".join(
        f'{k} = "text"\n' for k in ("mistake", "tempting", "see", "message"))
    (tmp_path / "a.toml").write_text(good)
    assert load("a", tmp_path).entries["x"].message == "text"
    (tmp_path / "b.toml").write_text(good.replace('see = "text"\n', ""))
    with pytest.raises(ValueError, match="lacks"):
        load("b", tmp_path)
    (tmp_path / "c.toml").write_text(good.replace('["f"]', '["g"]'))
    with pytest.raises(ValueError, match="unknown exercises"):
        load("c", tmp_path)
    (tmp_path / "d.toml").write_text(good.replace('message = "text"', f'message = "{"m" * 201}"'))
    with pytest.raises(ValueError, match="over 200"):
        load("d", tmp_path)
    (tmp_path / "e.toml").write_text(good + good.split("\n", 2)[2])
    with pytest.raises(ValueError, match="two entries"):
        load("e", tmp_path)


def test_book_page_is_up_to_date_and_in_the_toc():
    assert (ROOT / PAGE).read_text(encoding="utf-8") == render(), "run: course misconceptions"
    assert "book/misconceptions" in (ROOT / "_toc.yml").read_text(encoding="utf-8")
    for assignment in diagnosis.assignments():
        for entry in load(assignment).entries.values():
            assert f"({assignment}-{entry.id})=" in render() and verbatim(entry.message) in render()


# -- diagnostics ------------------------------------------------------------------------------
def _d() -> Diagnosis:
    return Diagnosis("a1_rnn", "rnn_step_forward")


def test_check_passes_a_right_answer_and_names_a_recognised_mistake():
    a = np.linspace(-2, 2, 6)
    _d().check(np.tanh(a), np.tanh(a), name="h")
    sigmoid = 1 / (1 + np.exp(-a))
    with pytest.raises(AssertionError) as err:
        _d().check(sigmoid, np.tanh(a), name="h", mistakes={"sigmoid-for-tanh": lambda: sigmoid,
                                                            "relu-for-tanh": np.maximum(a, 0)})
    assert str(err.value) == load("a1_rnn").entries["sigmoid-for-tanh"].tagged()


def test_check_falls_back_to_wrong_values_and_never_guesses():
    a = np.linspace(-2, 2, 6)
    with pytest.raises(AssertionError, match="h differs from the expected value"):  # an unknown mistake
        _d().check(np.tanh(a) + 1, np.tanh(a), name="h", mistakes={"relu-for-tanh": np.maximum(a, 0)})
    same = np.tanh(a) * 2
    with pytest.raises(AssertionError, match="differs"):  # two mistakes give this result: name neither
        _d().check(same, np.tanh(a), name="h", mistakes={"relu-for-tanh": same, "sigmoid-for-tanh": same})
    with pytest.raises(AssertionError, match="differs"):  # a mistake this input cannot show: no name
        _d().check(np.tanh(a) + 1, np.tanh(a), name="h", mistakes={"bias-missing": np.tanh(a)})
    with pytest.raises(AssertionError, match="shape"):  # a broken mistaken oracle recognises nothing
        _d().check(np.ones(2), np.tanh(a), name="h", mistakes={"bias-missing": lambda: 1 / 0})


def test_check_refuses_a_misconception_of_another_exercise_or_assignment():
    with pytest.raises(ValueError, match="not listed"):
        _d().check(1.0, 2.0, name="h", mistakes={"db-mean-over-batch": 1.0})
    with pytest.raises(KeyError):
        _d().check(1.0, 2.0, name="h", mistakes={"no-such-mistake": 1.0})
    with pytest.raises(ValueError, match="no exercise"):
        Diagnosis("a1_rnn", "lstm_forward")


def test_cascade_blames_a_failing_function_and_nothing_else():
    d = Diagnosis("a1_rnn", "rnn_forward")
    with pytest.raises(AssertionError) as err:
        d.check(1.0, 2.0, name="h", uses={"rnn_step_forward": lambda: True})
    assert str(err.value) == cascade_message(d.catalogue, "rnn_forward", "rnn_step_forward")
    assert "fix exercise 2 (rnn_step_forward) first" in str(err.value)
    with pytest.raises(AssertionError, match="differs"):
        d.check(1.0, 2.0, name="h", uses={"rnn_step_forward": lambda: False})
    with pytest.raises(AssertionError, match="differs"):  # a probe that breaks blames nobody
        d.check(1.0, 2.0, name="h", uses={"rnn_step_forward": lambda: [][0]})


def test_cascade_keeps_the_message_of_a_reference_call():
    from course_lib.grading import REFERENCE_REFUSED

    d = Diagnosis("a1_rnn", "rnn_forward")
    try:
        raise AssertionError(REFERENCE_REFUSED)
    except AssertionError:
        d.check_uses({"rnn_step_forward": lambda: True})  # returns: the reference message stands


def test_unchanged_names_the_argument_and_the_mistake():
    x = np.arange(3.0)
    _d().unchanged("f", {"x": x}, {"x": x.copy()})
    before = {"x": x.copy()}
    x[0] = 7
    with pytest.raises(AssertionError, match=r"^f changed its argument x in place: work on arrays"):
        _d().unchanged("f", {"x": x}, before)


# -- whole messages ---------------------------------------------------------------------------
def test_failure_status_keeps_every_line_and_hides_values():
    exc = AssertionError("EncoderBlock uses your MultiHeadAttention\n(first failing check: out differs from "
                         "the expected value at 3 of 9 entries; got 1, expected 2)")
    status = failure_status(exc, hidden=True)
    assert status == ("failed: hidden check: EncoderBlock uses your MultiHeadAttention\n"
                      "(first failing check: out: wrong values)")
    assert failure_status(AssertionError("a\nb"), hidden=False) == "failed: AssertionError: a\nb"
    assert one_line(status).count("\n") == 0


def _record(message: str) -> CellRecord:
    source = "assert f()\n### BEGIN HIDDEN TESTS\nsecret()\n### END HIDDEN TESTS\n"
    return CellRecord(StepKind.TEST, "test_f", source, grade_id="test_f", max_score=2,
                      status=one_line(message), message=message)


def test_feedback_page_and_results_show_the_whole_message(tmp_path):
    long = "failed: hidden check: " + "word " * 80 + "\nsecond line [common mistake: x]"
    record = _record(long)
    assert len(record.status) < len(long)
    page = render_feedback("a1", "s1", [record], [Row("s1", "a1", "nb", "test_f", 0, 2, record.status)], [])
    assert "second line [common mistake: x]" in page and "secret()" not in page
    results = json.loads(write_results(tmp_path / "r.json", [record]).read_text())
    assert results == [{"grade_id": "test_f", "score": 0.0, "max_score": 2, "status": record.status,
                        "message": long}]


# -- visible checks announce the hidden ones -------------------------------------------------
def test_announce_counts_hidden_checks_and_is_idempotent():
    cell = ("assert a\n### BEGIN HIDDEN TESTS\nfor v in w:\n    assert_close(v, 1)\n"
            "_d.check(1, 1, name='x')\n### END HIDDEN TESTS\n")
    once = announce_hidden(cell)
    assert 'print("visible checks passed; 2 more checks run when your notebook is graded")' in once
    assert announce_hidden(once) == once
    assert announce_hidden("assert a\n") == "assert a\n"
    assert count_checks("if x:\n    raise AssertionError('no')\n_d.unchanged('f', {}, {})") == 2


@pytest.mark.parametrize("path", sorted((ROOT / "solutions").glob("*/*.ipynb")), ids=lambda p: p.parent.name)
def test_every_released_test_cell_says_how_many_checks_remain(path):
    released = nbformat.read(ROOT / "exercises" / path.parent.name / path.name, as_version=4)
    shown = {c.metadata["nbgrader"]["grade_id"]: c.source for c in released.cells
             if c.get("metadata", {}).get("nbgrader", {}).get("grade")}
    for cell in nbformat.read(path, as_version=4).cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if not meta.get("grade") or "### BEGIN HIDDEN TESTS" not in cell.source:
            continue
        hidden = cell.source.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
        n = count_checks(hidden)
        assert n > 0, f"{meta['grade_id']}: hidden checks that count as none"
        checks = f"{n} more check{'s' if n != 1 else ''}"
        line = f'print("visible checks passed; {checks} run when your notebook is graded")'
        assert line in shown[meta["grade_id"]], f"{path.name}/{meta['grade_id']}: run build-source, release"


# -- notebooks with large stored outputs ------------------------------------------------------
def _notebook_with_outputs(path: Path, megabytes: int) -> None:
    """A valid notebook of about ``megabytes`` MB, nearly all of it one cell's stored output (log lines)."""
    line = json.dumps("epoch 1: loss 0.123456 " + "x" * 100 + "\n")
    lines = (megabytes * 2**20) // (len(line) + 1)
    with path.open("w", encoding="utf-8") as f:
        f.write('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [')
        f.write('{"cell_type": "code", "metadata": {}, "source": ["x = 1\\n"], "execution_count": 1, ')
        f.write('"outputs": [')
        f.write('{"output_type": "stream", "name": "stdout", "text": [')
        f.write(",".join([line] * lines))
        f.write(']}]}, {"cell_type": "code", "metadata": {}, "source": "print(x)", "outputs": [], '
                '"attachments": {"a.png": {"image/png": "AAAA"}}}]}')


def test_a_60_mb_notebook_is_read_without_its_outputs_and_without_holding_it(tmp_path):
    path = tmp_path / "big.ipynb"
    _notebook_with_outputs(path, 60)
    size = path.stat().st_size
    assert STREAM_FROM_BYTES < size < MAX_NOTEBOOK_BYTES
    tracemalloc.start()
    try:
        cells, notes, problem = read_notebook(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert problem == "" and [c["source"] for c in cells] == [["x = 1\n"], "print(x)"]
    assert all("outputs" not in c and "attachments" not in c for c in cells)
    assert peak < size / 10, f"reading a {size:,}-byte notebook held {peak:,} bytes"


def test_a_streamed_notebook_reads_like_a_small_one(tmp_path, monkeypatch):
    from course_tools.grader.cohort import intake

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("a = 1.5", outputs=[]),
                                         nbformat.v4.new_markdown_cell("# t")])
    nb.metadata["kernelspec"] = {"name": "julia"}
    path = tmp_path / "n.ipynb"
    path.write_text("\ufeff" + nbformat.writes(nb), encoding="utf-8")
    whole = read_notebook(path)
    monkeypatch.setattr(intake, "STREAM_FROM_BYTES", 0)
    streamed = read_notebook(path)
    assert streamed[1:] == whole[1:]
    assert [{k: v for k, v in c.items() if k != "outputs"} for c in whole[0]] == streamed[0]
    path.write_text('{"cells": [', encoding="utf-8")
    assert read_notebook(path)[2].startswith("unreadable: not valid notebook JSON")


def test_a_notebook_over_the_limit_gets_a_status_that_says_what_to_do(tmp_path):
    path = tmp_path / "huge.ipynb"
    with path.open("wb") as f:  # sparse: no disk is used
        f.truncate(MAX_NOTEBOOK_BYTES + 1)
    cells, _, problem = read_notebook(path)
    assert cells is None and "over the 500 MB limit" in problem and "clear its outputs" in problem


# -- course check -----------------------------------------------------------------------------
def _check(notebook: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "course_tools", "--root", str(ROOT), "check", str(notebook), *extra]
    return subprocess.run(command, capture_output=True, text=True, timeout=900)


@pytest.mark.slow
def test_course_check_grades_the_solution_the_release_and_a_bug(tmp_path):
    from assignment_harness import build_submission, load_case

    solution = ROOT / "solutions" / "a1_rnn" / "rnn_from_scratch.ipynb"
    done = _check(solution)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "score: 14 / 14" in done.stdout and "failed" not in done.stdout

    released = tmp_path / "Student Name_123_rnn_from_scratch (1).ipynb"  # an LMS's name still finds a1
    released.write_bytes((ROOT / "exercises" / "a1_rnn" / "rnn_from_scratch.ipynb").read_bytes())
    empty = _check(released)
    assert empty.returncode == 1 and "score: 0 / 14" in empty.stdout

    case = load_case(ROOT / "tests" / "submissions" / "a1_rnn" / "bug_sigmoid_instead_of_tanh.py")
    buggy = tmp_path / "rnn_from_scratch.ipynb"
    nbformat.write(build_submission("a1_rnn", case), buggy)
    out = _check(buggy).stdout
    catalogue = load("a1_rnn")
    assert catalogue.entries["sigmoid-for-tanh"].tagged() in out
    assert cascade_message(catalogue, "rnn_backward", "rnn_step_forward") in out
    assert "BEGIN HIDDEN" not in out and "torch.nn.RNNCell(" not in out


def test_course_check_finds_the_assignment_from_the_name(tmp_path):
    from course_tools.grader.cohort.check import find_assignment

    assert find_assignment(ROOT, Path("my_attention_v2.ipynb")) == ("a4_attention", "attention")
    assert find_assignment(ROOT, Path("lstm_gru (3).ipynb")) == ("a2_lstm", "lstm_gru")
    with pytest.raises(SystemExit, match="answers no notebook"):
        find_assignment(ROOT, Path("homework.ipynb"))


@pytest.mark.slow
def test_a_correct_notebook_with_60_mb_of_outputs_keeps_its_points(tmp_path):
    nb = nbformat.read(ROOT / "solutions" / "a1_rnn" / "rnn_from_scratch.ipynb", as_version=4)
    log = "epoch 1: loss 0.123456 " + "x" * 100 + "\n"
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    lines = [log] * ((60 * 2**20) // len(log))
    first_code.outputs = [nbformat.v4.new_output("stream", name="stdout", text=lines)]
    path = tmp_path / "rnn_from_scratch.ipynb"
    nbformat.write(nb, path)
    assert path.stat().st_size > 60 * 2**20
    done = _check(path)
    assert done.returncode == 0 and "score: 14 / 14" in done.stdout, done.stdout + done.stderr[-2000:]


def test_a_named_mistake_reads_as_a_sentence():
    from course_lib.diagnosis import NamedMistake

    assert failure_status(NamedMistake("your gates are split"), hidden=False) == "failed: your gates are split"
    assert failure_status(NamedMistake("a\nb"), hidden=True) == "failed: hidden check: a\nb"
    cascade = NamedMistake("f uses your g, which fails its own checks\n(first failing check: w differs from the "
                           "expected value at 2 of 4 entries; got 1, expected 2)")
    assert failure_status(cascade, hidden=True).endswith("(first failing check: w: wrong values)")


@pytest.mark.slow
def test_course_check_says_plainly_when_the_sandbox_cannot_run(monkeypatch, capfd):
    import io

    from course_tools.grader.cohort import check

    monkeypatch.setattr(check, "unavailable_reason", lambda: "bubblewrap (bwrap) is not installed")
    solution = ROOT / "solutions" / "a1_rnn" / "rnn_from_scratch.ipynb"
    report = io.StringIO()
    assert check.check(ROOT, solution, out=report) == 0
    out = report.getvalue()
    assert "the sandbox cannot run here (bubblewrap (bwrap) is not installed)" in out and "WITHOUT isolation" in out
    assert "score: 14 / 14" in out


def test_no_message_of_the_catalogue_gives_a_graded_line_away():
    """A message names the mistake; it never hands over the line that fixes it (a student reads
    it in the feedback, a reader on the book's page). Lines the released notebooks show anyway
    do not count."""
    from course_tools.build.solution_leaks import checked_lines, find_leaks

    lines = checked_lines(ROOT / "solutions", ROOT / "exercises")
    assert lines, "no solution line found: is solutions/ there?"
    leaks = {}
    for assignment in diagnosis.assignments():
        for entry in load(assignment).entries.values():
            text = "\n".join([entry.mistake, entry.tempting, entry.see, entry.message])
            if found := find_leaks(text, lines):
                leaks[f"{assignment}:{entry.id}"] = found
    assert not leaks, leaks
    # the check sees a message that quotes a solution line
    some_line, where = next(iter(lines.items()))
    assert find_leaks(f"try this: {some_line}", lines) == [where]
