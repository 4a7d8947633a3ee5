"""Near-identical answers: pairs of students, and answers that match a published reference.

A report for a human, never a change of score. Fingerprints are copydetect's (k-grams of code
tokenised by Pygments, with names, strings and comments normalised, so renaming
variables or rewording comments changes nothing; the released exercise cell is boilerplate and
does not count). Two answers to one exercise are *near-identical* when each shares at least
:data:`NEAR` of its fingerprinted tokens with the other; an answer *matches a reference* when
:data:`NEAR` of it is found in one of: the instructor's solution cells, course_lib's reference
functions (those the tests block, and any named like the exercise), and the code the book's
solution blocks show (``{solution}`` blocks, ``{literalinclude}`` with ``:pyobject:``).

Short answers (under :data:`MIN_TOKENS` fingerprinted tokens once the template is removed) are
left out: for a three-line function, agreement is what correct answers look like.
"""

from __future__ import annotations

import ast
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

K = 25  # copydetect's default noise threshold: matches shorter than 25 normalised characters are noise
WINDOW = 1  # every k-gram is a fingerprint: winnowing picks minima of Python's per-process str hash,
# so with a wider window the same two answers would score differently from one run to the next
NEAR = 0.9  # share of an answer's tokens found in the other answer (or the reference)
MIN_TOKENS = 60  # normalised characters covered by fingerprints, template removed
PREFILTER = 0.5  # share of distinct fingerprints in common below which copydetect's comparison is skipped
SOLUTION_BLOCK = re.compile(r"^(`{4,})\{solution\}.*?^\1\s*$", re.MULTILINE | re.DOTALL)
INCLUDE = re.compile(r"\{literalinclude\}\s+(?P<path>\S+)\s*\n(?P<options>(?:\s*:[a-z-]+:.*\n)*)")
FENCED_CODE = re.compile(
    r"^```(?:python|ipython3|\{code-cell\}[^\n]*)\n(?P<code>.*?)^```", re.MULTILINE | re.DOTALL
)
SOLUTION_MARKERS = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$\n?", re.MULTILINE)


@dataclass(frozen=True)
class Pair:
    """Two students whose answers to ``exercise`` are near-identical."""

    first: str
    second: str
    exercise: str
    similarity: float  # the smaller of the two shares


@dataclass(frozen=True)
class ReferenceMatch:
    """A student's answer to ``exercise`` that is mostly a published reference."""

    student: str
    exercise: str
    reference: str
    similarity: float


def _fingerprint(code: str, boilerplate: np.ndarray | None = None):  # type: ignore[no-untyped-def]
    from copydetect import CodeFingerprint

    return CodeFingerprint(
        "answer.py", K, WINDOW, boilerplate=boilerplate, language="python", fp=io.StringIO(code)
    )


def _cells(path: Path) -> list[tuple[str, str]]:
    """(grade_id, source) of a notebook's code cells."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        meta = (cell.get("metadata") or {}).get("nbgrader") or {}
        source = cell.get("source", "")
        out.append((str(meta.get("grade_id", "")), "".join(source) if isinstance(source, list) else source))
    return out


def answers_of(
    submissions: Path, students: list[str], notebooks: dict[str, list[str]]
) -> dict[str, dict[str, str]]:
    """Per student, exercise -> the code of their answer cells (from the notebook grading took)."""
    from course_tools.grader.cohort.intake import find_notebook, read_notebook

    names = sorted(notebooks)
    found: dict[str, dict[str, str]] = {}
    for student in students:
        for name in names:
            path, _ = find_notebook(submissions / student, name, names)
            if path is None:
                continue
            cells, _, _ = read_notebook(path)
            for cell in cells or []:
                gid = str(((cell.get("metadata") or {}).get("nbgrader") or {}).get("grade_id", ""))
                if gid in notebooks[name] and cell.get("cell_type") == "code":
                    source = cell.get("source", "")
                    text = "".join(source) if isinstance(source, list) else str(source)
                    mine = found.setdefault(student, {})
                    mine[gid] = mine.get(gid, "") + text + "\n"
    return found


def templates_of(release: Path) -> dict[str, str]:
    """Exercise -> its released cell (signature, docstring, ``raise NotImplementedError()``)."""
    return {gid: src for p in sorted(release.glob("*.ipynb")) for gid, src in _cells(p) if gid}


def _definition(path: Path, name: str) -> str | None:
    """The source of top-level ``def``/``class`` ``name`` in a Python file, or None."""
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    for node in ast.parse(text).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name:
            return ast.get_source_segment(text, node)
    return None


def references_of(
    root: Path, assignment: str, exercises: list[str], blocked: list[list[str]]
) -> dict[str, str]:
    """Label -> code of every published reference an answer could be copied from."""
    refs: dict[str, str] = {}
    for path in sorted((root / "solutions" / assignment).glob("*.ipynb")):
        for gid, source in _cells(path):
            if gid in exercises:
                refs[f"the instructor's solution ({path.name}: {gid})"] = SOLUTION_MARKERS.sub("", source)
    for module, qualname in blocked:
        file = root / Path(*module.split("."))
        for candidate in (file.with_suffix(".py"), file / "__init__.py"):
            code = _definition(candidate, qualname.split(".")[0])
            if code:
                refs[f"course_lib's reference {module}.{qualname}"] = code
    for path in sorted((root / "course_lib").rglob("*.py")):
        for name in exercises:
            code = _definition(path, name)
            if code:
                module = ".".join(path.relative_to(root).with_suffix("").parts)
                refs.setdefault(f"course_lib's reference {module}.{name}", code)
    for page in sorted((root / "book").glob("*.md")):
        for block in SOLUTION_BLOCK.finditer(page.read_text(encoding="utf-8")):
            text = block.group(0)
            for include in INCLUDE.finditer(text):
                obj = re.search(r":pyobject:\s*(\S+)", include["options"])
                target = (page.parent / include["path"]).resolve()
                if obj:
                    code, what = _definition(target, obj.group(1)), obj.group(1)
                else:
                    code, what = target.read_text(encoding="utf-8") if target.is_file() else None, target.name
                if code:
                    refs[f"the book's solution block ({page.name}: {what})"] = code
            for i, fenced in enumerate(FENCED_CODE.finditer(text)):
                refs[f"the book's solution block ({page.name}, code {i + 1})"] = fenced["code"]
    return refs


def _boilerplate(templates: dict[str, str], exercise: str) -> np.ndarray | None:
    template = templates.get(exercise)
    return np.array(sorted(_fingerprint(template).hashes), dtype=np.int64) if template else None


def _prints(answers: dict[str, dict[str, str]], templates: dict[str, str]) -> dict[str, dict[str, object]]:
    """Exercise -> student -> fingerprint, for answers long enough to compare."""
    found: dict[str, dict[str, object]] = {}
    for exercise in sorted({e for mine in answers.values() for e in mine}):
        boilerplate = _boilerplate(templates, exercise)
        for student, mine in sorted(answers.items()):
            if exercise in mine:
                fp = _fingerprint(mine[exercise], boilerplate)
                if fp.token_coverage >= MIN_TOKENS:
                    found.setdefault(exercise, {})[student] = fp
    return found


def _close(a: set[int], b: set[int], smaller: int) -> bool:
    """Whether two fingerprint sets share enough to be worth copydetect's (slower) comparison."""
    return len(a & b) >= PREFILTER * smaller


def similar_pairs(answers: dict[str, dict[str, str]], templates: dict[str, str]) -> list[Pair]:
    """Every pair of students with near-identical answers to one exercise, most similar first."""
    from copydetect import compare_files

    pairs = []
    for exercise, prints in _prints(answers, templates).items():
        sharing: dict[int, list[str]] = {}
        for student, fp in prints.items():
            for h in fp.hashes:  # type: ignore[attr-defined]
                sharing.setdefault(int(h), []).append(student)
        candidates = {(a, b) for group in sharing.values() for a in group for b in group if a < b}
        for a, b in sorted(candidates):
            fa, fb = prints[a], prints[b]
            if not _close(fa.hashes, fb.hashes, min(len(fa.hashes), len(fb.hashes))):  # type: ignore[attr-defined]
                continue
            _, (sa, sb), _ = compare_files(fa, fb)
            if min(sa, sb) >= NEAR:
                pairs.append(Pair(a, b, exercise, float(min(sa, sb))))
    return sorted(pairs, key=lambda p: (-p.similarity, p.first, p.second, p.exercise))


def reference_matches(
    answers: dict[str, dict[str, str]], references: dict[str, str], templates: dict[str, str]
) -> list[ReferenceMatch]:
    """Answers mostly found in one reference (the best one per answer)."""
    from copydetect import compare_files

    refs = {label: _fingerprint(code) for label, code in references.items()}
    found = []
    for exercise, prints in _prints(answers, templates).items():
        for student, fp in prints.items():
            mine = fp.hashes  # type: ignore[attr-defined]
            best = max(
                (
                    (float(compare_files(fp, ref)[1][0]), label)
                    for label, ref in refs.items()
                    if _close(mine, ref.hashes, len(mine))
                ),
                default=(0.0, ""),
            )
            if best[0] >= NEAR:
                found.append(ReferenceMatch(student, exercise, best[1], best[0]))
    return sorted(found, key=lambda m: (m.student, m.exercise))
