"""Notebooks as they really arrive: find, read and line up a student's file with the source.

Nothing here executes code. The result of intake is a *program*: the ordered steps the judge
runs, student cells (to the sandbox) and test cells (from the instructor's source, never from
the student's file), plus notes that end up in the ``status`` column.

Rules:

- **Finding the file** (:func:`find_notebook`): every ``.ipynb`` whose name, once lower-cased
  and stripped of LMS decorations (`` (1)``, ``-2``, a leading ``Student Name_123_`` or
  ``name_123_456_``), ends with ``NAME`` is a candidate; else, for a one-notebook assignment,
  the only ``.ipynb`` there. Among several candidates the newest by the submission's own times
  wins (``course collect``'s manifest, else file times); the status names the ignored ones.
  Links are never followed: a linked notebook or student folder is no submission. A folder
  without a notebook is ``missing``, with what was handed in instead.
- **Reading** (:func:`read_notebook`): an empty file, invalid JSON or a file that is no
  notebook is ``unreadable``; nbformat 3 (and 2) is upgraded to 4; the kernelspec, stale
  outputs and execution counts are ignored; a cell's ``source`` may be a string or a list.
- **Lining up** (:func:`build_program`): the student's code cells run in their order. A cell
  whose ``grade_id`` names a test cell of the source, or that is marked as a test cell, is
  never run: the source's test cell is judged at its place instead. Test cells the student
  deleted, or whose ``grade_id`` they changed, are judged after the student cell that holds
  the nearest preceding graded cell of the source (points always come from the source). A
  locked cell of the source (``setup``) runs in its source version; if deleted, it is put
  back at its place. Duplicated answer cells both run (the later definition wins, as in a
  kernel); a duplicated test cell is judged once.
"""

from __future__ import annotations

import ast
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course_tools.grader.cohort.manifest import submission_times
from course_tools.grader.protocol.limits import MAX_NOTEBOOK_BYTES
from course_tools.grader.protocol.records import CellKind, SourceCell, Step, StudentStep, TestStep

_LMS_PREFIX = re.compile(r"^(?:[^_]*_)*?\d+_(?:\d+_)?")
_COPY_SUFFIX = re.compile(r"(?:\s*\(\d+\)|[-_ ]\d+|[-_ ]copy)+$")
_COPY_NUMBER = re.compile(r"(?:\((\d+)\)|[-_ ](\d+))\s*$")
SHOWN_FILES = 5  # file names quoted in a status before "and N more"
SHOWN_ERROR_CHARS = 80  # of a JSON error, in the status of an unreadable notebook
SHOWN_KERNEL_CHARS = 30  # of a kernel's name, in the note that it was ignored


@dataclass
class Intake:
    """A student's notebook lined up with the source: the program and what was found."""

    program: list[Step] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problem: str = ""  # non-empty: nothing can be graded (missing / unreadable)
    path: Path | None = None


def _text(source: Any) -> str:
    if isinstance(source, list):
        return "".join(str(s) for s in source)
    return source if isinstance(source, str) else ""


def _meta(cell: dict[str, Any]) -> dict[str, Any]:
    meta = cell.get("metadata")
    nbg = meta.get("nbgrader") if isinstance(meta, dict) else None
    return nbg if isinstance(nbg, dict) else {}


def source_cells(path: Path) -> list[SourceCell]:
    """The instructor's notebook as a list of cells with their roles."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = []
    for cell in nb["cells"]:
        meta, text = _meta(cell), _text(cell.get("source"))
        gid = str(meta.get("grade_id", ""))
        if cell.get("cell_type") != "code":
            kind = CellKind.MARKDOWN
        elif meta.get("grade") and not meta.get("solution"):
            kind = CellKind.TEST
        elif meta.get("solution"):
            kind = CellKind.ANSWER
        elif meta.get("locked") and gid:
            kind = CellKind.LOCKED
        else:
            kind = CellKind.OTHER
        cells.append(SourceCell(kind, gid, float(meta.get("points", 0) or 0), text))
    return cells


def normalised_stem(name: str) -> str:
    """A file name without LMS decorations, for matching.

    >>> normalised_stem("Student Name_123_rnn_from_scratch (1).ipynb")
    'rnn_from_scratch'
    >>> normalised_stem("smithjohn_late_12345_678910_rnn_from_scratch-2.ipynb")
    'rnn_from_scratch'
    """
    stem = Path(name).stem.lower().strip()
    stem = _COPY_SUFFIX.sub("", stem)
    return _LMS_PREFIX.sub("", stem).strip(" _-")


def _walk(folder: Path) -> tuple[list[Path], list[Path]]:
    """(files, links) below ``folder``, never following a link; checkpoints and hidden files skipped."""
    files: list[Path] = []
    links: list[Path] = []
    for top, dirs, names in os.walk(folder, followlinks=False):
        here = Path(top)
        links += [here / d for d in dirs if (here / d).is_symlink()]
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not (here / d).is_symlink())
        for name in sorted(names):
            path = here / name
            if name.startswith("."):
                continue
            if path.is_symlink():
                links.append(path)
            elif path.is_file():
                files.append(path)
    return files, links


def _copy_number(path: Path) -> int:
    """The LMS's copy number in a name (``h1 (2).ipynb`` -> 2, ``h1-3.ipynb`` -> 3), else 0."""
    found = _COPY_NUMBER.search(path.stem)
    return int(found.group(1) or found.group(2)) if found else 0


def _is_candidate(path: Path, target: str) -> bool:
    return normalised_stem(path.name).endswith(target) or path.stem.lower().endswith(target)


def _listing(paths: list[Path], folder: Path) -> str:
    names = [str(p.relative_to(folder)) for p in paths]
    more = len(names) - SHOWN_FILES
    return ", ".join(names[:SHOWN_FILES]) + (f" and {more} more" if more > 0 else "")


def find_notebook(folder: Path, name: str, expected: list[str]) -> tuple[Path | None, str]:
    """The student's file for notebook ``name`` and a note on how it was found (or why not).

    Links are never followed: a student folder that is a link, or a notebook that is one, is no
    submission (``link: ...``). Among several candidates the newest by the submission's own
    times wins (``course collect``'s manifest, else the files' mtimes; then the LMS's copy
    number), and the note names the ignored ones.
    """
    if folder.is_symlink():
        return None, "link: the student's folder is a symbolic link; links are not submissions"
    files, links = _walk(folder)
    notebooks = [p for p in files if p.suffix.lower() == ".ipynb" and ".ipynb_checkpoints" not in p.parts]
    target = name.lower()
    matches = [p for p in notebooks if _is_candidate(p, target)]
    if not matches and len(expected) == 1 and len(notebooks) == 1:
        matches = notebooks
    linked = [p for p in links if _is_candidate(p, target) or p.suffix.lower() == ".ipynb" or p.is_dir()]
    if not matches:
        if linked:
            return None, (
                f"link: {_listing(linked, folder)} is a symbolic link, not a file; links are not "
                "submissions (hand in the notebook itself)"
            )
        if notebooks:
            return None, f"missing: no {name}.ipynb in the submission (found {_listing(notebooks, folder)})"
        handed = f"handed in {_listing(files, folder)}, no notebook" if files else "the folder is empty"
        return None, f"missing: no {name}.ipynb in the submission; {handed}"
    times = submission_times(folder)

    def newest(p: Path) -> tuple[float, int, str]:
        when = times.get(str(p.relative_to(folder)), p.stat().st_mtime)
        return when, _copy_number(p), p.name

    chosen = max(matches, key=newest)
    if len(matches) == 1 and chosen.name == f"{name}.ipynb" and not linked:
        return chosen, ""
    note = f"graded {str(chosen.relative_to(folder))!r}"
    ignored = sorted((p for p in matches if p != chosen), key=newest, reverse=True)
    if ignored:
        note += f" (the newest of {len(matches)} candidates; ignored {_listing(ignored, folder)})"
    if linked:
        note += f" (ignored the link {_listing(linked, folder)})"
    return chosen, note


def read_notebook(path: Path) -> tuple[list[dict[str, Any]] | None, list[str], str]:
    """(cells, notes, problem) for a student's file; ``cells`` is None when unreadable."""
    size = path.stat().st_size
    if size == 0:
        return None, [], "unreadable: the file is empty"
    if size > MAX_NOTEBOOK_BYTES:
        return (
            None,
            [],
            f"unreadable: the file is {size / 2**20:.0f} MB (limit {MAX_NOTEBOOK_BYTES // 2**20} MB)",
        )
    try:
        nb = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as exc:
        return None, [], f"unreadable: not valid notebook JSON ({str(exc)[:SHOWN_ERROR_CHARS]})"
    if not isinstance(nb, dict):
        return None, [], "unreadable: the JSON is not a notebook"
    notes = []
    major = nb.get("nbformat")
    cells: Any
    if "cells" not in nb and "worksheets" in nb:
        cells = [
            c for ws in nb.get("worksheets") or [] if isinstance(ws, dict) for c in ws.get("cells") or []
        ]
        cells = [
            dict(c, source=c.get("input", c.get("source", "")), cell_type="code")
            if isinstance(c, dict) and c.get("cell_type") == "code"
            else c
            for c in cells
        ]
        notes.append(f"nbformat {major} read as 4")
    else:
        cells = nb.get("cells")
    if not isinstance(cells, list):
        return None, [], "unreadable: the JSON is not a notebook (no cells)"
    cells = [c for c in cells if isinstance(c, dict)]
    kernel = (
        ((nb.get("metadata") or {}).get("kernelspec") or {}) if isinstance(nb.get("metadata"), dict) else {}
    )
    if isinstance(kernel, dict) and kernel.get("name") not in (None, "python3", "python"):
        notes.append(f"kernel {str(kernel.get('name'))[:SHOWN_KERNEL_CHARS]!r} ignored (graded as Python 3)")
    if not any(c.get("cell_type") == "code" for c in cells):
        return None, notes, "unreadable: the notebook has no code cells"
    return cells, notes, ""


def _looks_like_test(cell: dict[str, Any], test_sources: set[str]) -> bool:
    meta = _meta(cell)
    text = _text(cell.get("source"))
    return (
        bool(meta.get("grade") and not meta.get("solution"))
        or "### BEGIN HIDDEN TESTS" in text
        or text.strip() in test_sources
    )


def build_program(cells: list[dict[str, Any]], source: list[SourceCell]) -> tuple[list[Step], list[str]]:
    """The steps to run for one notebook and notes on what differed from the source."""
    tests = {c.grade_id: c for c in source if c.kind == CellKind.TEST}
    locked = {c.grade_id: c for c in source if c.kind == CellKind.LOCKED}
    test_sources = {c.source.split("### BEGIN HIDDEN TESTS")[0].strip() for c in tests.values()}
    program: list[Step] = []
    notes: list[str] = []
    placed: dict[str, int] = {}  # grade_id of a source cell -> index in program after which it sits
    seen_tests: set[str] = set()
    counts: dict[str, int] = {}
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        gid = str(_meta(cell).get("grade_id", ""))
        counts[gid] = counts.get(gid, 0) + 1
        if gid in tests:
            if gid not in seen_tests:
                seen_tests.add(gid)
                program.append(TestStep.of(tests[gid]))
            placed[gid] = len(program)
            continue
        if _looks_like_test(cell, test_sources):
            continue  # a test cell whose grade_id was changed or a student's copy of a visible check
        if gid in locked:
            program.append(StudentStep(locked[gid].source, gid))
            placed[gid] = len(program)
            continue
        program.append(StudentStep(_text(cell.get("source")), gid))
        if gid:
            placed[gid] = len(program)
    duplicated = sorted(g for g, n in counts.items() if g and n > 1)
    if duplicated:
        notes.append("duplicated cells " + ", ".join(duplicated))
    notes += _restore_missing(program, placed, source)
    present = {str(_meta(c).get("grade_id", "")) for c in cells}
    lost = [c.grade_id for c in source if c.kind == CellKind.ANSWER and c.grade_id not in present]
    if lost:
        notes.append("answer cells without their grade_id: " + ", ".join(lost))
    return program, notes


def _restore_missing(program: list[Step], placed: dict[str, int], source: list[SourceCell]) -> list[str]:
    """Put back into ``program`` the test and locked cells the student's file lacks: a test after
    the student's cell defining its exercise, else after the nearest preceding source cell that
    is present; a locked cell at its place (else first). Returns the notes saying so."""
    answers = [c.grade_id for c in source if c.kind == CellKind.ANSWER]
    missing: dict[CellKind, list[str]] = {CellKind.TEST: [], CellKind.LOCKED: []}
    for position, cell in enumerate(source):
        if cell.kind not in missing or cell.grade_id in placed:
            continue
        is_test = cell.kind == CellKind.TEST
        anchor = _defining_step(program, _exercise_of(cell.grade_id, answers)) if is_test else None
        if anchor is None:
            anchor = next(
                (placed[s.grade_id] for s in reversed(source[:position]) if s.grade_id in placed),
                len(program) if is_test else 0,
            )
        program.insert(anchor, TestStep.of(cell) if is_test else StudentStep(cell.source, cell.grade_id))
        for key, value in placed.items():
            if value > anchor:
                placed[key] = value + 1
        placed[cell.grade_id] = anchor + 1
        missing[cell.kind].append(cell.grade_id)
    notes = []
    if missing[CellKind.TEST]:
        notes.append("test cells restored from the source: " + ", ".join(missing[CellKind.TEST]))
    if missing[CellKind.LOCKED]:
        notes.append("locked cells restored: " + ", ".join(missing[CellKind.LOCKED]))
    return notes


def _exercise_of(grade_id: str, answers: list[str]) -> str | None:
    """The exercise a test cell belongs to: the longest F with grade_id starting ``test_F``."""
    owners = [f for f in answers if grade_id.startswith(f"test_{f}")]
    return max(owners, key=len) if owners else None


def _defining_step(program: list[Step], name: str | None) -> int | None:
    """Index just after the last student step that defines ``name`` at top level."""
    if not name:
        return None
    found = None
    for index, step in enumerate(program):
        if not isinstance(step, StudentStep):
            continue
        try:
            tree = ast.parse(step.source)
        except SyntaxError:
            continue
        for node in tree.body:
            names = (
                [node.name]
                if isinstance(node, (ast.FunctionDef, ast.ClassDef))
                else [t.id for t in getattr(node, "targets", []) if isinstance(t, ast.Name)]
            )
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [(a.asname or a.name).split(".")[0] for a in node.names]
            if name in names:
                found = index + 1
    return found


def intake(folder: Path, name: str, expected: list[str], source: list[SourceCell]) -> Intake:
    """Find, read and line up notebook ``name`` of one student's folder."""
    path, note = find_notebook(folder, name, expected)
    if path is None:
        return Intake(problem=note)
    cells, notes, problem = read_notebook(path)
    if cells is None:
        return Intake(problem=problem + (f"; {note}" if note else ""), path=path)
    program, more = build_program(cells, source)
    return Intake(program=program, notes=([note] if note else []) + notes + more, path=path)
