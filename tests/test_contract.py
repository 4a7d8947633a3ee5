"""The exercise contract (docs/contract.md): generated from the solution notebooks and kept by them
and by the release. Nothing here skips, except the comparison with the course's shared contract
file, which runs where ``../shared/EXERCISES.md`` sits beside the clone (as in CI)."""

from __future__ import annotations

import ast
import json
import re
import shutil
from pathlib import Path

import pytest

from course_tools.build.contract import (
    PAGE,
    ROW,
    SECTION,
    build_contract,
    exercises,
    problems,
    read_page,
    render,
)

ROOT = Path(__file__).resolve().parent.parent
SHARED_CONTRACT = ROOT.parent / "shared" / "EXERCISES.md"


def test_the_page_is_generated_from_the_solutions():
    assert (ROOT / PAGE).read_text(encoding="utf-8") == render(ROOT), "run: course contract"


def test_every_exercise_of_the_page_keeps_the_contract():
    contract = read_page((ROOT / PAGE).read_text(encoding="utf-8"))
    notebooks = sorted(
        (a, n.name) for a, n in ((p.parent.name, p) for p in (ROOT / "solutions").glob("*/*.ipynb"))
    )
    assert sorted(contract) == notebooks and all(contract.values())
    assert problems(ROOT, contract) == []


def _course(tmp_path: Path) -> Path:
    """A copy of a1's solution and release, to break."""
    for folder in ("solutions", "exercises"):
        (tmp_path / folder / "a1_rnn").mkdir(parents=True)
        shutil.copy(ROOT / folder / "a1_rnn" / "rnn_from_scratch.ipynb", tmp_path / folder / "a1_rnn")
    return tmp_path


def _edit(path: Path, change) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    change(nb["cells"])
    path.write_text(json.dumps(nb), encoding="utf-8")


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def test_the_check_finds_a_broken_release_and_a_stale_page(tmp_path, capsys):
    course = _course(tmp_path)
    assert build_contract(course)  # writes the page
    assert build_contract(course, check=True)  # which is then fresh, and the notebooks keep it
    release = course / "exercises" / "a1_rnn" / "rnn_from_scratch.ipynb"

    def break_release(cells):
        for cell in cells:
            if _meta(cell).get("grade_id") == "test_one_hot":
                _meta(cell)["points"] = 0  # a test cell without points grades nothing
            if _meta(cell).get("grade_id") == "rnn_forward":
                cell["source"] = "### BEGIN SOLUTION\n" + "".join(cell["source"])

    _edit(release, break_release)
    found = problems(course, read_page((course / PAGE).read_text(encoding="utf-8")))
    assert any("test_one_hot" in p for p in found) and any("BEGIN SOLUTION" in p for p in found)
    solution = course / "solutions" / "a1_rnn" / "rnn_from_scratch.ipynb"

    def more_points(cells):
        for cell in cells:
            if _meta(cell).get("grade_id") == "test_rnn_backward":
                _meta(cell)["points"] = 9

    _edit(solution, more_points)
    assert not build_contract(course, check=True)
    assert "out of date: docs/contract.md" in capsys.readouterr().err


def test_a_class_exercise_lists_its_methods_and_the_longest_owner_takes_a_test(tmp_path):
    def cell(source, **meta):
        return {"cell_type": "code", "source": source, "metadata": {"nbgrader": meta}, "outputs": []}

    nb = {
        "cells": [
            cell(
                "class Net(nn.Module):\n    '''A net.'''\n    def __init__(self, d):\n        pass\n"
                "    def forward(self, x, mask=None):\n        '''x (N, d) -> (N, d).'''\n"
                "    def _helper(self):\n        pass\n",
                grade_id="Net",
                solution=True,
                grade=False,
            ),
            cell("def encode(s):\n    pass\n", grade_id="encode", solution=True, grade=False),
            cell("def encode_batch(s, v):\n    pass\n", grade_id="encode_batch", solution=True, grade=False),
            cell("", grade_id="test_encode_batch", grade=True, solution=False, points=2),
            cell("", grade_id="test_encode", grade=True, solution=False, points=1),
            cell("", grade_id="test_Net_hidden", grade=True, solution=False, points=3),
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    found, orphans = exercises(path)
    by_id = {e.grade_id: e for e in found}
    assert by_id["Net"].signature == [
        "class Net(nn.Module)",
        "__init__(self, d)",
        "forward(self, x, mask=None)",
    ]
    assert by_id["Net"].docs == ["A net.", "forward: x (N, d) -> (N, d)."] and by_id["Net"].tests == {
        "test_Net_hidden": 3
    }
    assert by_id["encode"].tests == {"test_encode": 1} and by_id["encode_batch"].tests == {
        "test_encode_batch": 2
    }
    assert orphans == {}


def _parameters(signature: str) -> tuple[str, list[tuple[str, bool]]] | None:
    """``("f", [(name, has a default), ...])`` of ``f(a, b=1) -> ...``; None for a class line."""
    m = re.match(r"^(\w+)\((.*?)\)", signature)
    if m is None:
        return None
    args = ast.parse(f"def f({m[2]}): pass").body[0].args  # type: ignore[attr-defined]
    names = [a.arg for a in args.args]
    first_default = len(names) - len(args.defaults)
    return m[1], [(n, i >= first_default) for i, n in enumerate(names)]


@pytest.mark.skipif(not SHARED_CONTRACT.is_file(), reason="../shared/EXERCISES.md is not beside the clone")
def test_the_shared_contract_is_kept():
    """Every exercise the course's shared contract lists for an assignment this repository has is
    on the page, with the same parameters (names, order, which have defaults)."""
    ours = {
        ((nb.parent.name, nb.name), e.grade_id): e
        for nb in sorted((ROOT / "solutions").glob("*/*.ipynb"))
        for e in exercises(nb)[0]
    }
    assignments = {p.name for p in (ROOT / "solutions").iterdir() if p.is_dir()}
    missing, different = [], []
    section = None
    for line in SHARED_CONTRACT.read_text(encoding="utf-8").splitlines():
        if m := SECTION.match(line):
            section = (m[1], m[2])
        elif section and section[0] in assignments and (m := ROW.match(line)):
            exercise = ours.get((section, m[1]))
            if exercise is None:
                missing.append(f"{section[0]}/{m[1]}")
                continue
            shared = [p for s in re.findall(r"`([^`]+)`", line.split(" | ")[1]) if (p := _parameters(s))]
            mine = [p for s in exercise.signature if (p := _parameters(s))]
            if shared != mine:
                different.append(f"{section[0]}/{m[1]}: {mine} here, {shared} in the shared contract")
    assert not missing, f"exercises of ../shared/EXERCISES.md missing here: {missing}"
    assert not different, "\n".join(different)
