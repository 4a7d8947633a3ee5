"""The grader's parts one by one: wire format, intake, collect, shards and merge, feedback, refusal."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path, PurePosixPath

import nbformat
import numpy as np
import pytest
import torch
from test_grader_hostile import POINTS, source_notebook, student_notebook

from course_tools.grader.cohort import grade as grade_module
from course_tools.grader.cohort.collect import collect
from course_tools.grader.cohort.feedback import render, truncate, visible_part
from course_tools.grader.cohort.intake import (
    build_program,
    find_notebook,
    normalised_stem,
    read_notebook,
    source_cells,
)
from course_tools.grader.cohort.lms import Member, student_of
from course_tools.grader.cohort.merge import merge
from course_tools.grader.cohort.run import RunInfo, write_run
from course_tools.grader.judge.cells import describe_hidden, free_names, split_test
from course_tools.grader.judge.sandbox import unavailable_reason
from course_tools.grader.protocol.errors import ErrorInfo, rebuild_error
from course_tools.grader.protocol.records import COLUMNS, CellRecord, Row, StepKind, TestStep
from course_tools.grader.protocol.wire import Codec, HandleTable, WireError

ROOT = Path(__file__).resolve().parent.parent


def _codec() -> Codec:
    return Codec(
        HandleTable(), lambda info: ("handle", info.number, info.type_name), lambda v: None, lambda v: False
    )


def _roundtrip(value):
    codec, blobs = _codec(), []
    encoded = json.loads(json.dumps(codec.encode(value, blobs)))
    return codec.decode(encoded, blobs)


def test_wire_roundtrips_plain_data():
    value = {
        "a": [1, 2.5, float("nan"), None, True, "s", b"\x00"],
        ("t", 1): (np.arange(6.0).reshape(2, 3),),
        "scalar": np.float32(1.5),
        "slice": slice(1, None, 2),
        "rng": np.random.default_rng(3),
    }
    back = _roundtrip(value)
    assert (
        back["a"][:2] == [1, 2.5] and np.isnan(back["a"][2]) and back["a"][3:] == [None, True, "s", b"\x00"]
    )
    np.testing.assert_array_equal(back[("t", 1)][0], value[("t", 1)][0])
    assert back["scalar"].dtype == np.float32 and back["slice"] == slice(1, None, 2)
    assert back["rng"].normal() == np.random.default_rng(3).normal()


def test_wire_roundtrips_torch_values():
    t = torch.arange(6, dtype=torch.float64).reshape(2, 3).requires_grad_(True)
    g = torch.Generator().manual_seed(7)
    back = _roundtrip([t, torch.Size([2, 3]), torch.long, g, torch.tensor([1, 2])])
    assert (
        torch.equal(back[0].detach(), t.detach()) and back[0].requires_grad and back[0].dtype == torch.float64
    )
    assert back[1] == torch.Size([2, 3]) and back[2] is torch.long and back[4].dtype == torch.int64
    assert (
        torch.rand(1, generator=back[3]).item()
        == torch.rand(1, generator=torch.Generator().manual_seed(7)).item()
    )
    scalar, array = _roundtrip([torch.tensor(1.5, dtype=torch.float64), np.array(2.5)])  # 0-d stays 0-d
    assert scalar.shape == () and scalar.dtype == torch.float64 and array.shape == () and float(array) == 2.5


def test_wire_keeps_zero_dimensional_arrays_and_tensors():
    back = _roundtrip([np.array(2.5), np.array([2.5]), torch.tensor(3.0), torch.tensor([3.0])])
    assert [np.shape(v) for v in back] == [(), (1,), (), (1,)]
    assert back[0] == 2.5 and back[2].item() == 3.0


def test_in_place_changes_inside_containers_are_copied_back():
    from course_tools.grader.protocol.mutation import _same, restore, snapshot

    grads = [np.ones(3), np.array(2.0)]
    before = snapshot(grads)
    assert _same(before, [np.ones(3), np.array(2.0)])  # untouched: nothing to report
    callee = [g.copy() for g in grads]
    callee[0] *= 0.5  # g *= factor on the callee's copy of the list
    callee[1] = callee[1] * 0.5  # or an item replaced inside the list
    assert not _same(before, callee)
    restore(grads, callee)
    np.testing.assert_array_equal(grads[0], [0.5, 0.5, 0.5])
    assert grads[1] == 1.0 and np.shape(grads[1]) == ()
    weights = {"W": [np.zeros(2)]}
    changed = {"W": [np.full(2, 7.0)]}
    assert not _same(snapshot(weights), changed)
    restore(weights, changed)
    np.testing.assert_array_equal(weights["W"][0], [7.0, 7.0])
    assert snapshot([1, "a", None]) is None  # no array inside: nothing to watch


def test_wire_strips_subclasses_and_lends_objects():
    class Liar(int):
        def __eq__(self, other):
            return True

    back = _roundtrip([Liar(0), np.zeros(2).view(type("A", (np.ndarray,), {}))])
    assert type(back[0]) is int and back[0] != 45
    assert type(back[1]) is np.ndarray
    assert _roundtrip(object())[0] == "handle"
    assert _roundtrip(torch.nn.Parameter(torch.zeros(1)))[0] == "handle"  # parameters stay by reference


def test_wire_never_unpickles():
    buf = io.BytesIO()
    np.save(buf, np.array([object()], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError):
        _codec().decode({"npy": 0}, [buf.getvalue()])
    with pytest.raises(WireError):
        _codec().decode({"pickle": "x"}, [])


def test_worker_errors_become_safe_exceptions():
    def rebuilt(wire):
        return rebuild_error(ErrorInfo.from_wire(wire))

    exc = rebuilt({"type": "MyError", "builtin": ["ValueError", "Exception"], "message": "bad"})
    assert type(exc) is ValueError and str(exc) == "MyError: bad" and exc.from_student
    exit_ = rebuilt({"type": "SystemExit", "builtin": ["SystemExit", "BaseException"], "message": "0"})
    assert isinstance(exit_, Exception) and not isinstance(exit_, SystemExit)
    key = rebuilt({"type": "MissingWord", "builtin": ["KeyError", "LookupError"], "message": "'cat'"})
    assert type(key) is KeyError and key.args == ("'cat'",)
    garbage = rebuilt(["not", "an", "error"])  # whatever a hostile worker sends is still an error
    assert isinstance(garbage, Exception) and "Error" in str(garbage)


def test_split_test_and_free_names():
    source = "a = f(1)\n### BEGIN HIDDEN TESTS\nassert g(a) == 2\n### END HIDDEN TESTS\n"
    assert split_test(source) == [(False, "a = f(1)\n"), (True, "\nassert g(a) == 2\n"), (False, "\n")][
        :2
    ] or [h for h, _ in split_test(source)] == [False, True]
    assert free_names(source) == ["a", "f", "g"]  # assigned names too: a test may rebind a student's name
    assert free_names("import numpy as np\ndef h(v):\n    return np.sum(v)\n") == []
    broken = "for i in range(2):\n### BEGIN HIDDEN TESTS\n    pass\n### END HIDDEN TESTS\n"
    assert split_test(broken) == [(True, broken)]


def test_hidden_failures_are_described_without_values():
    assert (
        describe_hidden(
            "dWh (against a float64 numerical gradient) differs from the expected value at 3 "
            "of 9 entries; largest difference 0.5 at index (0, 1): got 1, expected 2"
        )
        == "dWh (against a float64 numerical gradient): wrong values"
    )


@pytest.mark.parametrize(
    "name, stem",
    [
        ("h1 (1).ipynb", "h1"),
        ("Student Name_123_h1.ipynb", "h1"),
        ("smith_LATE_12_34_h1-2.ipynb", "h1"),
        ("H1 copy.ipynb", "h1"),
    ],
)
def test_lms_names_are_normalised(name, stem):
    assert normalised_stem(name) == stem


def test_find_notebook_rules(tmp_path):
    (tmp_path / "other.ipynb").write_text("{}")
    path, note = find_notebook(tmp_path, "h1", ["h1", "h2"])
    assert path is None and note.startswith("missing: no h1.ipynb") and "other.ipynb" in note
    path, note = find_notebook(tmp_path, "h1", ["h1"])
    assert path == tmp_path / "other.ipynb"  # the only notebook of a one-notebook assignment
    (tmp_path / "h1.ipynb").write_text("{}")
    assert find_notebook(tmp_path, "h1", ["h1"]) == (tmp_path / "h1.ipynb", "")


@pytest.mark.parametrize(
    "content, problem",
    [
        (b"", "unreadable: the file is empty"),
        (b"\x89PNG", "unreadable: not valid notebook JSON"),
        (b'{"cells": 3}', "unreadable: the JSON is not a notebook"),
        (
            b'{"cells": [{"cell_type": "markdown", "source": "x"}]}',
            "unreadable: the notebook has no code cells",
        ),
    ],
)
def test_unreadable_notebooks(tmp_path, content, problem):
    (tmp_path / "n.ipynb").write_bytes(content)
    cells, _, found = read_notebook(tmp_path / "n.ipynb")
    assert cells is None and found.startswith(problem)


def test_nbformat3_is_read(tmp_path):
    nbformat.write(nbformat.convert(student_notebook(), 3), tmp_path / "h1.ipynb", version=3)
    cells, notes, problem = read_notebook(tmp_path / "h1.ipynb")
    assert problem == "" and notes == ["nbformat 3 read as 4"]
    assert any("def double" in "".join(c["source"]) for c in cells)


def _source(tmp_path: Path):
    nbformat.write(source_notebook(), tmp_path / "src.ipynb")
    return source_cells(tmp_path / "src.ipynb")


def _steps(program):
    return [s.grade_id if isinstance(s, TestStep) else f"student:{s.label}" for s in program]


def test_program_uses_source_tests_and_restores_deleted_cells(tmp_path):
    source = _source(tmp_path)
    nb = json.loads(nbformat.writes(student_notebook()))
    program, notes = build_program(nb["cells"], source)
    assert _steps(program) == [
        "student:setup",
        "student:double",
        "test_double",
        "student:square",
        "test_square",
        "student:total",
        "test_total",
    ]
    assert all("BEGIN HIDDEN TESTS" in s.source for s in program if s.kind == StepKind.TEST) and notes == []
    cells = [
        c
        for c in nb["cells"]
        if c["metadata"].get("nbgrader", {}).get("grade_id") not in {"setup", "test_square"}
    ]
    program, notes = build_program(cells, source)
    assert _steps(program) == [
        "student:setup",
        "student:double",
        "test_double",
        "student:square",
        "test_square",
        "student:total",
        "test_total",
    ]
    assert notes == ["test cells restored from the source: test_square", "locked cells restored: setup"]


def test_program_for_retyped_cells_runs_tests_after_definitions(tmp_path):
    source = _source(tmp_path)
    nb = json.loads(nbformat.writes(student_notebook()))
    for cell in nb["cells"]:
        cell["metadata"] = {}
    program, notes = build_program(nb["cells"], source)
    steps = _steps(program)
    assert steps.index("test_double") > steps.index("student:") + 1
    assert [s for s in steps if s.startswith("test_")] == ["test_double", "test_square", "test_total"]
    assert "answer cells without their grade_id: double, square, total" in notes


def test_shards_partition_the_cohort():
    students = [f"s{i:03d}" for i in range(200)]
    shards = [[s for s in students if grade_module.in_shard(s, (k, 4))] for k in range(1, 5)]
    assert sorted(sum(shards, [])) == students and all(len(s) > 20 for s in shards)
    assert grade_module.parse_shard("2/4") == (2, 4)
    with pytest.raises(SystemExit):
        grade_module.parse_shard("5/4")


def _write_grades(folder: Path, rows: list[list[str]], shard: list[int], cohort: list[str]) -> None:
    folder.mkdir(parents=True)
    with (folder / "grades.csv").open("w", newline="") as f:
        csv.writer(f).writerows([COLUMNS, *rows])
    students = sorted({r[0] for r in rows})
    write_run(folder, RunInfo("h1", {"h1": "digest"}, shard, cohort, students, "", "t0", "t1"))


def test_merge_orders_like_an_unsharded_run_and_refuses_overlap(tmp_path):
    a = [
        ["bob", "h1", "h1", "test_a", "1", "1", "passed"],
        ["bob", "h1", "h1", "test_b", "0", "2", "failed: x"],
    ]
    b = [
        ["alice", "h1", "h1", "test_a", "1", "1", "passed"],
        ["carol", "h1", "h1", "test_a", "0", "1", "missing"],
    ]
    cohort = ["alice", "bob", "carol"]
    _write_grades(tmp_path / "s1", a, [1, 2], cohort)
    _write_grades(tmp_path / "s2", b, [2, 2], cohort)
    assert merge([tmp_path / "s1", tmp_path / "s2"], tmp_path / "all") == 4
    with (tmp_path / "all" / "grades.csv").open() as f:
        assert [r[0] for r in csv.reader(f)][1:] == ["alice", "bob", "bob", "carol"]
    _write_grades(tmp_path / "s3", a[:1], [2, 2], cohort)
    with pytest.raises(SystemExit, match="bob"):
        merge([tmp_path / "s1", tmp_path / "s3"], tmp_path / "bad")


def test_collect_maps_lms_downloads(tmp_path):
    members = {
        "smithjane_12345_67890_h1.ipynb": "canvas",
        "smithjane_late_12345_67999_h1.ipynb": "canvas late",
        "A1_jdoe_attempt_2026-03-01-10-00-00_h1.ipynb": "blackboard",
        "Jane Roe_4711_assignsubmission_file_/h1.ipynb": "moodle",
        "Student Name_123_h1 (1).ipynb": "name and number",
        "s0042/h1.ipynb": "folder",
        "__MACOSX/s0042/._h1.ipynb": "junk",
        "loose.ipynb": "unmapped",
    }
    with zipfile.ZipFile(tmp_path / "download.zip", "w") as z:
        for name, text in members.items():
            z.writestr(name, text)
    course = tmp_path / "course"
    (course / "solutions" / "h1").mkdir(parents=True)
    found = collect(course, tmp_path / "download.zip", "h1", tmp_path / "subs").students
    assert found == {
        "12345": ["h1-2.ipynb", "h1.ipynb"],
        "jdoe": ["h1.ipynb"],
        "4711": ["h1.ipynb"],
        "123": ["h1 (1).ipynb"],
        "s0042": ["h1.ipynb"],
    }
    assert (tmp_path / "subs" / "4711" / "h1.ipynb").read_text() == "moodle"
    log = (tmp_path / "subs" / "collect_log.csv").read_text()
    assert "download.zip,loose.ipynb,,,,,skipped: no student id in the name" in log
    assert student_of(PurePosixPath("s0042/h1.ipynb")) == Member("s0042", "h1.ipynb", "folder")


def test_feedback_truncates_and_hides():
    assert truncate("x" * 30, 10).endswith("[output truncated: 30 characters in all]")
    assert "secret" not in visible_part("a\n### BEGIN HIDDEN TESTS\nsecret\n### END HIDDEN TESTS\nb\n")
    assert "secret" not in visible_part("a\n### BEGIN HIDDEN TESTS\nsecret\n")  # an unterminated block too
    records = [
        CellRecord(StepKind.STUDENT, "x", "print('<b>')", output="<b>" * 10, error=""),
        CellRecord(
            StepKind.TEST,
            "test_x",
            "f()\n### BEGIN HIDDEN TESTS\nsecret\n### END HIDDEN TESTS\n",
            grade_id="test_x",
            max_score=1,
            status="failed: hidden check: h: wrong values",
            hidden_output_chars=12,
        ),
    ]
    page = render(
        "t",
        "s",
        records,
        [Row("s", "t", "t", "test_x", 0.0, 1.0, records[1].status)],
        [],
    )
    assert "secret" not in page and "<b>" not in page and "&lt;b&gt;" in page and "12 characters" in page


def test_grade_refuses_without_sandbox(tmp_path, monkeypatch):
    course = tmp_path / "course"
    (course / "solutions" / "h1").mkdir(parents=True)
    nbformat.write(source_notebook(), course / "solutions" / "h1" / "h1.ipynb")
    (tmp_path / "subs" / "s1").mkdir(parents=True)
    monkeypatch.setattr(grade_module, "unavailable_reason", lambda: "bubblewrap (bwrap) is not installed")
    with pytest.raises(SystemExit, match="--unsafe-no-sandbox") as info:
        grade_module.grade(course, "h1", tmp_path / "subs", tmp_path / "out")
    assert "bubblewrap (bwrap) is not installed" in str(info.value)
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_jobs_and_shards_merge_to_the_unsharded_grades(tmp_path):
    course, subs = tmp_path / "course", tmp_path / "subs"
    (course / "solutions" / "h1").mkdir(parents=True)
    (course / "nbgrader_config.py").write_text("c = get_config()  # noqa: F821\n")
    nbformat.write(source_notebook(), course / "solutions" / "h1" / "h1.ipynb")
    wrong = {
        "double": "def double(x):\n    return x\n",
        "square": "def square(x):\n    return np.asarray(x) * 3\n",
    }
    for i in range(7):
        (subs / f"st{i}").mkdir(parents=True)
        answers = {k: v for j, (k, v) in enumerate(wrong.items()) if (i >> j) & 1}
        nbformat.write(student_notebook(answers), subs / f"st{i}" / "h1.ipynb")
    flags = [] if unavailable_reason() is None else ["--unsafe-no-sandbox"]

    def run(out: str, *extra: str) -> None:
        cmd = [
            sys.executable,
            "-m",
            "course_tools",
            "--root",
            str(course),
            "grade",
            "h1",
            "--submissions",
            str(subs),
            "--out",
            str(tmp_path / out),
            "--cell-timeout",
            "20",
            *flags,
            *extra,
        ]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr[-3000:]

    run("whole", "--jobs", "2")
    run("k1", "--shard", "1/2")
    run("k2", "--shard", "2/2", "--jobs", "2")
    assert merge([tmp_path / "k1", tmp_path / "k2"], tmp_path / "merged") == 7 * len(POINTS)
    whole = (tmp_path / "whole" / "grades.csv").read_text()
    assert (tmp_path / "merged" / "grades.csv").read_text() == whole
    rows = list(csv.DictReader(io.StringIO(whole)))
    assert len({(r["student_id"], r["grade_id"]) for r in rows}) == len(rows) == 7 * len(POINTS)
    assert sum(float(r["score"]) for r in rows) == pytest.approx(
        sum((1 if not (i & 1) else 0) + (2 if not (i & 2) else 0) + 1 for i in range(7))
    )
