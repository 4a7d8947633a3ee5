"""The book's two editions keep graded answers out of the reading path.

The **reader edition** (the default) shows a graded function's reference implementation only
inside a closed solution block (class ``solution``) at the end of its chapter. The **cohort
edition** (``make book EDITION=cohort``) leaves every solution block out, and nothing it
publishes — HTML pages, the search index, ``_sources/``, ``_downloads/``, notebooks — holds a
line of any graded solution: every ``### BEGIN SOLUTION`` body in ``solutions/``, lines of 20 or
more characters, compared with all whitespace removed (``course_tools.build.solution_leaks``).

One exception, printed by the tests and capped: a solution line that the released exercise
notebook itself shows outside its answer cells (an idiom such as ``with torch.no_grad():`` in
a test cell) is given to every student anyway, so finding it in the book is no leak.

A tiny book built here in both editions shows that both checks fail when a page leaks.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from book_site import ROOT, built_book, cohort_book, content_pages

from course_tools.build.solution_leaks import find_leaks, released_lines, scan_build, solution_lines

SOLUTION_CLASS = "solution"  # sphinx-exercise's class on a solution block
# The released notebooks may show a few solution lines outside their answer cells (idioms, a
# test's own model); more than this many means an exercise gives its answer away.
MAX_GIVEN_LINES = 5
CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.md"))


ALL_LINES = solution_lines(ROOT / "solutions")
GIVEN = released_lines(ALL_LINES, ROOT / "exercises")
CHECKED = {line: where for line, where in ALL_LINES.items() if where not in GIVEN}


def test_the_solution_lines_are_found_and_few_are_given_away():
    assert len(ALL_LINES) > 50, f"only {len(ALL_LINES)} solution lines in solutions/: is the folder there?"
    print("solution lines the released notebooks show anyway (not counted as leaks):")
    for where, notebook in GIVEN.items():
        print(f"  {notebook}: {where}")
    assert len(GIVEN) <= MAX_GIVEN_LINES, f"released notebooks show {len(GIVEN)} solution lines: {GIVEN}"


# ---------------------------------------------------------------------------- sources


def _directives(text: str, name: str) -> list[tuple[str, str]]:
    """(argument, body) of every ``{name}`` fence of a page (backticks or tildes, any length)."""
    pattern = (rf"^(?P<fence>`{{3,}}|~{{3,}})\{{{name}\}}[ \t]*(?P<arg>[^\n]*)\n"
               r"(?P<body>.*?)^(?P=fence)[ \t]*$")
    return [(m["arg"].strip(), m["body"]) for m in re.finditer(pattern, text, re.M | re.S)]


def _graded_names(assignment: str) -> set[str]:
    """Answer cells of ``solutions/<assignment>/`` whose reference implementation is in course_lib."""
    names = set()
    library = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "course_lib").rglob("*.py"))
    for where in ALL_LINES.values():
        if where.startswith(f"{assignment}/"):
            grade_id = where.split(", ", 1)[1].split(":", 1)[0]
            if re.search(rf"^\s*(def|class) {re.escape(grade_id)}\b", library, re.M):
                names.add(grade_id)
    return names


def test_solution_blocks_hold_only_a_sentence_and_literalincludes_of_course_lib():
    """Never inline code: a solution's lines come from course_lib (so no page source holds them)
    and each solution names an exercise box of its page."""
    for chapter in CHAPTERS:
        text = chapter.read_text(encoding="utf-8")
        exercises = {re.search(r":label: (\S+)", body)[1] for _, body in _directives(text, "exercise")}
        for target, body in _directives(text, "solution"):
            assert target in exercises, f"{chapter.name}: solution to {target}, no exercise of this page"
            assert re.search(r":class: dropdown", body), f"{chapter.name}: solution to {target} is not closed"
            fences = re.findall(r"^(`{3,}|~{3,})(\S*)", body, re.M)
            opening = [info for _, info in fences if info]
            assert opening and all(info == "{literalinclude}" for info in opening), (chapter.name, target)
            assert all(path.strip().startswith("../course_lib/") for path in
                       re.findall(r"\{literalinclude\}([^\n]*)", body)), (chapter.name, target)


def test_no_page_refers_to_a_solution_label():
    """The cohort edition has no solution blocks, so a reference to one would break its build."""
    for page in (ROOT / "book").rglob("*.md"):
        for line in page.read_text(encoding="utf-8").splitlines():
            if "sol-" in line and not line.startswith(":label: sol-"):
                assert not re.search(r"\{(ref|numref|doc|prf:ref)\}`[^`]*sol-", line), f"{page.name}: {line}"


@pytest.mark.parametrize(
    "assignment", ["a1_rnn", "a2_lstm", "a3_packing", "a4_attention", "a5_charlm", "a6_seq2seq"]
)
def test_every_graded_function_of_a_chapter_has_its_exercise_box_and_solution_block(assignment):
    """Once a chapter has any solution block of an assignment, every graded function of that
    assignment with a reference in course_lib has an exercise box and a solution block."""
    boxes, solutions = set(), set()
    for chapter in CHAPTERS:
        text = chapter.read_text(encoding="utf-8")
        boxes |= {re.search(r":label: (\S+)", body)[1] for _, body in _directives(text, "exercise")}
        solutions |= {target for target, _ in _directives(text, "solution")}
    ours = {label for label in solutions if label.startswith(f"ex-{assignment}-")}
    if not ours:
        pytest.skip(f"no chapter has a solution block of {assignment} yet")
    expected = {f"ex-{assignment}-{name}" for name in _graded_names(assignment)}
    assert expected <= boxes, f"exercise boxes missing: {sorted(expected - boxes)}"
    assert expected <= solutions, f"solution blocks missing: {sorted(expected - solutions)}"


# ---------------------------------------------------------------------------- a tiny book

TINY_SOLUTION = {
    "cells": [
        {
            "cell_type": "code",
            "metadata": {"nbgrader": {"grade_id": "secret_step", "solution": True}},
            "source": "def secret_step(x):\n    ### BEGIN SOLUTION\n    return x * 31337 + 271828  # secret\n"
            "    ### END SOLUTION\n",
        },
        {
            "cell_type": "code",
            "metadata": {"nbgrader": {"grade_id": "other_step", "solution": True}},
            "source": "def other_step(x):\n    ### BEGIN SOLUTION\n    return x * 27182 - 314159  # other\n"
            "    ### END SOLUTION\n",
        },
    ],
}
TINY_LIBRARY = '''def secret_step(x):
    """The first reference."""
    return x * 31337 + 271828  # secret


def other_step(x):
    """The second reference."""
    return x * 27182 - 314159  # other
'''
TINY_CHAPTER = """# A chapter

~~~{exercise} Implement `secret_step`
:label: ex-tiny-secret_step

Do it.
~~~

A page that prints a graded body in the running text, as a chapter must not:

```{literalinclude} ../lib/ref.py
:pyobject: other_step
```

## Solutions

Open these after your own attempt.

````{solution} ex-tiny-secret_step
:class: dropdown
:label: sol-tiny-secret_step

The reference:

```{literalinclude} ../lib/ref.py
:pyobject: secret_step
```
````
"""


def _tiny_book(root: Path) -> None:
    tiny = {  # jupyter-book's default extensions, and the book's two for solution blocks
        "title": "tiny",
        "only_build_toc_files": True,
        "execute": {"execute_notebooks": "off"},
        "exclude_patterns": ["solutions", "lib", "_reader", "_cohort"],
        "sphinx": {"extra_extensions": ["sphinx_exercise", "course_tools.build.edition"]},
    }
    (root / "_config.yml").write_text(yaml.safe_dump(tiny), encoding="utf-8")
    toc = "format: jb-book\nroot: book/intro\nchapters:\n  - file: book/ch\n"
    (root / "_toc.yml").write_text(toc, encoding="utf-8")
    (root / "book").mkdir()
    (root / "book" / "intro.md").write_text("# Tiny\n\nNo code here.\n", encoding="utf-8")
    (root / "book" / "ch.md").write_text(TINY_CHAPTER, encoding="utf-8")
    (root / "lib").mkdir()
    (root / "lib" / "ref.py").write_text(TINY_LIBRARY, encoding="utf-8")
    (root / "solutions" / "tiny").mkdir(parents=True)
    (root / "solutions" / "tiny" / "nb.ipynb").write_text(json.dumps(TINY_SOLUTION), encoding="utf-8")


def _build_tiny(root: Path, edition: str) -> Path:
    out = root / f"_{edition}"
    build = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(root), "--path-output", str(out),
             "--warningiserror", "--nitpick"]
    env = {**os.environ, "COURSE_EDITION": edition, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(build, capture_output=True, text=True, env=env, cwd=root)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out / "_build" / "html"


@pytest.mark.slow
@pytest.mark.book
def test_both_checks_catch_a_tiny_book_that_leaks(tmp_path):
    """The tiny chapter prints `other_step`'s body in its running text and keeps `secret_step`'s
    in a solution block. The reader check finds the first and accepts the second; the cohort
    edition leaves the solution block out (and says so), and its scan finds only the first —
    in the page, and not in the sources, which hold only the literalinclude directive."""
    _tiny_book(tmp_path)
    lines = solution_lines(tmp_path / "solutions")
    assert sorted(lines) == ["returnx*27182-314159#other", "returnx*31337+271828#secret"]
    other, secret = (lines[k] for k in sorted(lines))

    reader = _build_tiny(tmp_path, "reader")
    page = (reader / "book" / "ch.html").read_text(encoding="utf-8")
    assert find_leaks(page, lines, html=True) == [other, secret]  # both are on the page ...
    assert find_leaks(page, lines, html=True, skip_class=SOLUTION_CLASS) == [other]  # ... one outside

    cohort = _build_tiny(tmp_path, "cohort")
    leaks = scan_build(cohort, lines)
    assert leaks == {"book/ch.html": [other]}, leaks
    text = (cohort / "book" / "ch.html").read_text(encoding="utf-8")
    assert "Solution to" not in text and "not part of this edition" in text


# ---------------------------------------------------------------------------- the real book


@pytest.fixture(scope="module")
def cohort() -> Path:
    build = cohort_book()
    assert build.returncode in (None, 0), f"the cohort edition fails with -W -n:\n{build.log[-6000:]}"
    if build.returncode is not None:
        assert "Executing notebook" not in build.log, "the cohort build executed a page: is the cache shared?"
    return build.html


@pytest.mark.slow
@pytest.mark.book
@pytest.mark.xdist_group("book")
def test_cohort_edition_publishes_no_line_of_any_graded_solution(cohort):
    leaks = scan_build(cohort.parent, CHECKED)  # html/ and the executed notebooks beside it
    assert not leaks, "graded solution lines in the cohort edition:\n" + "\n".join(
        f"{path}:\n  " + "\n  ".join(found[:8]) for path, found in sorted(leaks.items())[:20]
    )
    pages = {p.relative_to(cohort).as_posix(): p
             for edition in (cohort, cohort / "ko") for p in content_pages(edition)}  # and 한국어판
    assert "book/02_recurrent_cell.html" in pages and (cohort / "searchindex.js").is_file()
    assert "ko/book/02_recurrent_cell.html" in pages and (cohort / "ko" / "searchindex.js").is_file()
    korean_note = (cohort / "ko" / "book" / "02_recurrent_cell.html").read_text(encoding="utf-8")
    assert "참조 풀이는 이 판에 들어 있지 않다" in korean_note, "the Korean cohort edition does not say why"
    marker = f'class="{SOLUTION_CLASS} '
    with_blocks = [name for name, p in pages.items() if marker in p.read_text(encoding="utf-8")]
    assert not with_blocks, f"solution blocks in the cohort edition: {with_blocks}"


@pytest.mark.slow
@pytest.mark.book
@pytest.mark.xdist_group("book")
def test_reader_edition_shows_solution_lines_only_inside_solution_blocks():
    build = built_book()
    assert build.returncode in (None, 0), f"the book does not build with -W -n:\n{build.log[-6000:]}"
    outside, inside = {}, set()
    for page in content_pages(build.html):
        text = page.read_text(encoding="utf-8")
        if found := find_leaks(text, CHECKED, html=True, skip_class=SOLUTION_CLASS):
            outside[page.relative_to(build.html).as_posix()] = found
        inside |= set(find_leaks(text, CHECKED, html=True))
    assert not outside, "graded solution lines outside solution blocks:\n" + "\n".join(
        f"{path}:\n  " + "\n  ".join(found[:8]) for path, found in sorted(outside.items())
    )
    # The positive control: the same scan does find solution lines, inside the blocks.
    assert inside, "no solution line found even inside the solution blocks: is the scan blind?"


def test_make_book_has_the_one_word_switch():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "EDITION ?= reader" in makefile and "COURSE_EDITION=$(EDITION)" in makefile
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make book EDITION=cohort" in readme


def test_graphviz_draws_the_diagrams():
    assert shutil.which("dot"), "Graphviz's dot draws the book's diagrams (apt-get install graphviz)"
