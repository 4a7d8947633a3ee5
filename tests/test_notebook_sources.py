"""The assignment notebooks: in sync with their authoring scripts, well-formed for nbgrader,
released exactly as `course release` makes them, and leaking nothing into the release."""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course_tools.build.source import script_to_notebook, target_of

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = sorted((ROOT / "authoring").glob("*/*.py"))
SOURCES = sorted((ROOT / "solutions").glob("*/*.ipynb"))
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", re.DOTALL)
SOLUTION = re.compile(r"### BEGIN SOLUTION(.*?)### END SOLUTION", re.DOTALL)


def _nb(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def test_every_source_has_a_script_and_vice_versa():
    assert sorted(target_of(ROOT, s) for s in SCRIPTS) == SOURCES


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_source_notebook_is_built_from_its_script(script):
    expected = nbformat.writes(script_to_notebook(script)) + "\n"
    actual = target_of(ROOT, script).read_text(encoding="utf-8")
    assert actual == expected, f"run: course build-source {script.relative_to(ROOT)}"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.parent.name)
def test_source_notebook_is_well_formed_for_nbgrader(path):
    nb = _nb(path)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    ids = [_meta(c)["grade_id"] for c in nb.cells if _meta(c)]
    assert len(ids) == len(set(ids)), f"duplicate grade_ids in {path.name}"
    for cell in nb.cells:
        assert cell.get("outputs", []) == [] and cell.get("execution_count") is None, "outputs committed"
        meta = _meta(cell)
        if not meta:
            continue
        assert meta.get("schema_version") == 3, meta
        if meta.get("solution"):
            assert not meta.get("grade") and not meta.get("locked"), f"{meta['grade_id']}: answer cell flags"
            assert "### BEGIN SOLUTION" in cell.source, f"{meta['grade_id']}: no solution block"
        if meta.get("grade"):
            assert meta.get("locked") and float(meta.get("points", 0)) > 0, f"{meta['grade_id']}: unlocked or no points"
            tree = ast.parse(cell.source)
            assert tree.body and _returns_nothing(tree.body[-1]), (
                f"{meta['grade_id']}: a test cell must not end in a bare expression "
                "(nbgrader reads its value as a partial score)")


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.parent.name)
def test_release_leaks_no_solution_or_hidden_test(path):
    released = (ROOT / "exercises" / path.parent.name / path.name).read_text(encoding="utf-8")
    source = _nb(path)
    for cell in source.cells:
        for pattern in (HIDDEN, SOLUTION):
            for block in pattern.findall(cell.source):
                for line in (ln.strip() for ln in block.splitlines()):
                    if len(line) > 30 and line not in _visible_lines(source):
                        assert line not in released, f"released {path.name} contains hidden/solution line: {line!r}"
    for marker in ("BEGIN SOLUTION", "HIDDEN TESTS"):
        assert marker not in released


# Checkers that always return None: a call to one of them may end a test cell.
NONE_RETURNING = {"assert_close", "check_gradients", "assert_allclose", "assert_array_equal", "assert_equal"}


def _returns_nothing(stmt: ast.stmt) -> bool:
    if not isinstance(stmt, ast.Expr):
        return True
    call = stmt.value
    if not isinstance(call, ast.Call):
        return False
    func = call.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    return name in NONE_RETURNING


def _visible_lines(nb: nbformat.NotebookNode) -> set[str]:
    lines = set()
    for cell in nb.cells:
        visible = HIDDEN.sub("", SOLUTION.sub("", cell.source))
        lines.update(ln.strip() for ln in visible.splitlines())
    return lines


@pytest.mark.slow
def test_exercises_equal_a_fresh_release(tmp_path):
    result = subprocess.run([sys.executable, "-m", "course_tools", "--root", str(ROOT), "release", "--into", str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    fresh = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(ROOT / "exercises") for p in (ROOT / "exercises").rglob("*") if p.is_file())
    assert fresh == committed, "exercises/ has other files than a fresh release: run `course release`"
    for rel in fresh:
        assert (tmp_path / rel).read_bytes() == (ROOT / "exercises" / rel).read_bytes(), (
            f"exercises/{rel} differs from a fresh release: run `course release`")
