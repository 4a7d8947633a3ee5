"""The chapters' Colab twins (book/colab/*.ipynb): one per chapter, up to date with it, carrying
the chapter's code unchanged, plain Markdown without any solution block, and a first cell that
installs course_lib on Colab and nowhere else; and the chapters use no package Colab lacks."""
from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import types
from pathlib import Path

import nbformat
import pytest
import yaml

from course_tools.build.book_cache import code_cells, page_dependencies
from course_tools.build.colab import (
    COLAB_PROVIDES,
    TWIN_FOLDER,
    Bibliography,
    chapters,
    make_twin,
    plain_markdown,
    twin_of,
)
from course_tools.build.solution_leaks import checked_lines, find_leaks

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = chapters(ROOT)
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
MYST = ("{literalinclude}", "{doc}", "{cite", "```{")


def _twin(chapter) -> nbformat.NotebookNode:
    return nbformat.read(twin_of(chapter), as_version=4)


def test_every_chapter_has_a_twin_and_every_twin_a_chapter():
    assert len(CHAPTERS) >= 8, "the toc's Markdown notebooks (book/01_... to book/08_...)"
    twins = sorted((ROOT / "book" / TWIN_FOLDER).glob("*.ipynb"))
    assert twins == sorted(twin_of(chapter) for chapter in CHAPTERS), "run: course build-colab"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_twin_is_built_from_its_chapter(chapter):
    actual = twin_of(chapter).read_text(encoding="utf-8")
    stale = f"book/colab/{chapter.stem}.ipynb is out of date: run course build-colab"
    assert actual == make_twin(ROOT, chapter), stale


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_twin_has_the_chapters_code_no_outputs_and_plain_markdown(chapter):
    nb = _twin(chapter)
    nbformat.validate(nb)
    code = [cell.source for cell in nb.cells if cell.cell_type == "code"]
    # The chapter's code cells, read by book_cache's own MyST reader (not jupytext), in order.
    assert code[1:] == [cell.strip("\n") for cell in code_cells(chapter)]
    for cell in nb.cells:
        assert cell.get("outputs", []) == [] and cell.get("execution_count") is None, "outputs committed"
    markdown = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    assert not [m for m in MYST if m in markdown], f"MyST left for Colab to show raw: {chapter.name}"
    text = chapter.read_text(encoding="utf-8")
    block = re.compile(r"^(`{4,})\{solution\}.*?^\1[ \t]*$", re.M | re.S)
    solutions = "".join(m[0] for m in block.finditer(text))
    for name in _pyobjects(block.sub("", text)):  # each {literalinclude} :pyobject: X outside
        assert f"def {name.split('.')[-1]}(" in markdown or f"class {name}" in markdown, name  # ... is shown
    for name in _pyobjects(solutions):  # ... and a solution's reference never is
        assert f"def {name.split('.')[-1]}(" not in markdown and f"class {name}(" not in markdown, name


def _pyobjects(text: str) -> list[str]:
    lines = text.splitlines()
    return [line.split(":pyobject:")[1].strip() for line in lines if line.startswith(":pyobject:")]


# every solution line but the few the released notebooks show anyway (tests/test_book_editions.py)
SOLUTION_LINES = checked_lines(ROOT / "solutions", ROOT / "exercises")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_twin_holds_no_line_of_any_graded_solution(chapter):
    """The whole twin (code and Markdown) against every line of 20+ characters of every
    `### BEGIN SOLUTION` block in solutions/, whitespace ignored."""
    assert SOLUTION_LINES, "no solution lines found in solutions/"
    leaks = find_leaks(twin_of(chapter).read_text(encoding="utf-8"), SOLUTION_LINES, notebook=True)
    assert not leaks, f"{twin_of(chapter).name} shows graded solution lines: {leaks[:5]}"


DIRECTIVES = """Some text.

~~~{exercise} Implement `f`
:label: ex-a1_rnn-f

Assignment **a1**, exercise `f` ({doc}`open the exercise <../exercises/a1_rnn/rnn_from_scratch>`):
write it.
~~~

```{graphviz}
:class: diagram
:alt: Two nodes, a and b, joined by an arrow.

digraph g { a -> b }
```

**1.** Why?

````{admonition} Answer
:class: dropdown

Because $x = 1$; see {doc}`03_bptt`.

```python
print(1)
```
````

## Solutions

Open these after your own attempt.

````{solution} ex-a1_rnn-f
:class: dropdown
:label: sol-a1_rnn-f

The reference implementation:

```{literalinclude} ../course_lib/numpy_nn/rnn.py
:pyobject: rnn_step_forward
```
````
"""


def test_markdown_of_exercises_answers_and_diagrams_and_no_solution():
    """Each of the book's directives becomes Markdown a plain notebook shows; a solution block
    becomes nothing, and make_twin drops the emptied "Solutions" section with it."""
    chapter = ROOT / "book" / "02_recurrent_cell.md"
    bibliography = Bibliography([ROOT / name for name in CONFIG["bibtex_bibfiles"]])
    markdown = plain_markdown(DIRECTIVES, chapter, ROOT, bibliography)
    colab = f"{CONFIG['launch_buttons']['colab_url']}/github/{CONFIG['repository']['url'].removeprefix('https://github.com/')}"
    assert "> **Exercise: Implement `f`**\n>\n> Assignment **a1**" in markdown
    notebook = "exercises/a1_rnn/rnn_from_scratch.ipynb"
    exercise_link = f"[open the exercise]({colab}/blob/{CONFIG['repository']['branch']}/{notebook})"
    assert exercise_link in markdown
    assert "*Diagram (drawn in the book): Two nodes, a and b, joined by an arrow.*" in markdown
    answer = "<details>\n<summary>Answer</summary>\n\nBecause $x = 1$; see *3. Backpropagation through time*."
    assert answer in markdown
    assert "```python\nprint(1)\n```\n\n</details>" in markdown
    assert "rnn_step_forward" not in markdown and "{solution}" not in markdown and "digraph" not in markdown
    assert "## Solutions" in markdown  # plain_markdown keeps the heading; make_twin drops the section


def test_a_diagram_without_alt_text_is_refused():
    chapter = ROOT / "book" / "02_recurrent_cell.md"
    with pytest.raises(ValueError, match=":alt:"):
        plain_markdown("```{graphviz}\n:class: diagram\n\ndigraph g { a -> b }\n```\n", chapter, ROOT,
                       Bibliography([ROOT / name for name in CONFIG["bibtex_bibfiles"]]))


def test_make_twin_drops_the_solutions_section(tmp_path):
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(ROOT / name, tmp_path / name)
    caches = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "course_lib", tmp_path / "course_lib", ignore=caches)
    shutil.copytree(ROOT / "exercises", tmp_path / "exercises")
    (tmp_path / "book").mkdir()
    shutil.copy(ROOT / "book" / "references.bib", tmp_path / "book" / "references.bib")
    shutil.copy(ROOT / "book" / "03_bptt.md", tmp_path / "book" / "03_bptt.md")
    chapter = tmp_path / "book" / "02_recurrent_cell.md"
    chapter.write_text(MINI_CHAPTER + "\n" + DIRECTIVES + "\n## After\n\nMore.\n", encoding="utf-8")
    nb = nbformat.reads(make_twin(tmp_path, chapter), as_version=4)
    markdown = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    assert "## Solutions" not in markdown and "Open these after" not in markdown
    assert "## After\n\nMore." in markdown and "<details>" in markdown


def _setup_cell(chapter) -> str:
    cell = _twin(chapter).cells[0]
    assert cell.cell_type == "code"
    return cell.source


def _exercise_setup_cells() -> dict[str, str]:
    """Each released exercise's Colab cell (locked, ungraded, right after the title)."""
    cells = {}
    for path in sorted((ROOT / "exercises").glob("*/*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        found = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "colab_setup"]
        assert len(found) == 1 and nb.cells.index(found[0]) == 1, f"{path.name}: the Colab cell follows the title"
        assert found[0].metadata["nbgrader"]["locked"] and not found[0].metadata["nbgrader"]["grade"]
        cells[path.stem] = found[0].source
    return cells


@pytest.mark.parametrize("in_colab", [False, True], ids=["elsewhere", "colab"])
def test_first_cell_installs_course_lib_from_the_repository_only_on_colab(monkeypatch, in_colab):
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda args, **kw: calls.append((args, kw)))
    if in_colab:
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    setups = {chapter.stem: _setup_cell(chapter) for chapter in CHAPTERS} | _exercise_setup_cells()
    assert len(setups) == len(CHAPTERS) + len(list((ROOT / "exercises").glob("*/*.ipynb")))
    for name, source in setups.items():
        calls.clear()
        exec(compile(source, f"{name}[colab]", "exec"), {})
        if not in_colab:
            assert calls == [], "the setup cell must do nothing outside Colab"
            continue
        (args, kwargs), = calls
        url, branch = CONFIG["repository"]["url"], CONFIG["repository"]["branch"]
        assert args[:4] == [sys.executable, "-m", "pip", "install"] and kwargs == {"check": True}
        assert args[-1] == f"course-lib @ git+{url}@{branch}"
        # Colab's own PyTorch and friends stay: the course's pins are not installed.
        assert "--no-deps" in args and not any(a.startswith(("-r", "-c", "torch")) for a in args)


def test_chapters_use_only_packages_colab_has():
    """What the twins' --no-deps install relies on: the chapters' code, and every course_lib
    module it imports (transitively), import nothing outside the stdlib but COLAB_PROVIDES."""
    lib = ROOT / "course_lib"
    found: dict[str, set[str]] = {}
    for chapter in CHAPTERS:
        sources = {chapter.name: "\n".join(code_cells(chapter))}
        deps = page_dependencies(chapter, lib)
        assert deps, f"{chapter.name} imports no course_lib module?"
        sources.update({path.name: path.read_text(encoding="utf-8") for path in deps})
        for name, source in sources.items():
            for package in _third_party(source) - set(COLAB_PROVIDES):
                found.setdefault(package, set()).add(f"{chapter.name}: {name}")
    assert not found, f"packages Colab may not have (add to the twin's install, or avoid): {found}"


def _third_party(source: str) -> set[str]:
    """Top-level names of the modules ``source`` imports, other than the stdlib and course_lib."""
    source = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names.add(node.module.split(".")[0])
    return {name for name in names if name not in sys.stdlib_module_names and name != "course_lib"}


def test_course_build_colab_check_reports_a_stale_twin(tmp_path, capsys):
    """`course build-colab --check` exits 1 and names the twin when a chapter changed."""
    from course_tools.cli import main

    for name in ("_config.yml", "_toc.yml", "nbgrader_config.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    for folder in ("book", "course_lib", "solutions", "exercises"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    course = ["--root", str(tmp_path), "build-colab"]
    assert main([*course, "--check"]) == 0, capsys.readouterr().err
    chapter = tmp_path / "book" / "03_bptt.md"
    title = "# 3. Backpropagation through time\n"  # (the end of a chapter is its Solutions section)
    chapter.write_text(chapter.read_text(encoding="utf-8").replace(title, title + "\nOne more sentence.\n"),
                       encoding="utf-8")
    capsys.readouterr()
    assert main([*course, "--check"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == "out of date: book/colab/03_bptt.ipynb"
    assert main(course) == 0
    assert "One more sentence." in (tmp_path / "book" / "colab" / "03_bptt.ipynb").read_text(encoding="utf-8")
    assert main([*course, "--check"]) == 0


MINI_CONFIG = {
    "title": "mini",
    "only_build_toc_files": True,
    "execute": {"execute_notebooks": "off"},
    "repository": {"url": "https://github.com/example-org/mini-course", "branch": "spring"},
    "launch_buttons": {"colab_url": "https://colab.research.google.com"},
    "exclude_patterns": ["book/colab"],
    "sphinx": {"extra_extensions": ["course_tools.build.colab"]},
}
MINI_CHAPTER = """---
jupytext:
  text_representation: {extension: .md, format_name: myst}
kernelspec: {display_name: Python 3, language: python, name: python3}
---

# 1. A chapter

```{code-cell} ipython3
print(1 + 1)
```
"""


@pytest.mark.slow
@pytest.mark.book
def test_the_book_links_a_chapters_twin_and_fails_without_it(tmp_path):
    """On a two-page book: no twin, the build warns (an error with -W); once `build-colab` made
    the twin, the next incremental build writes the page again, its Colab button on the twin."""
    (tmp_path / "_config.yml").write_text(yaml.safe_dump(MINI_CONFIG), encoding="utf-8")
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: book/intro\nchapters:\n  - file: book/ch\n", encoding="utf-8"
    )
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "intro.md").write_text("# Mini\n\nNo code here.\n", encoding="utf-8")
    (tmp_path / "book" / "ch.md").write_text(MINI_CHAPTER, encoding="utf-8")
    jupyter_book = str(Path(sys.executable).parent / "jupyter-book")
    build = [jupyter_book, "build", str(tmp_path), "--warningiserror", "--nitpick", "--keep-going"]
    page = tmp_path / "_build" / "html" / "book" / "ch.html"
    colab = "https://colab.research.google.com/github/example-org/mini-course/blob/spring/book/"

    first = subprocess.run(build, capture_output=True, text=True)
    assert first.returncode != 0 and "no Colab notebook book/colab/ch.ipynb" in first.stdout + first.stderr
    assert f'href="{colab}ch.md"' in page.read_text(encoding="utf-8")

    from course_tools.build.colab import build_twins

    assert build_twins(tmp_path) == [tmp_path / "book" / "colab" / "ch.ipynb"]
    second = subprocess.run(build, capture_output=True, text=True)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    text = page.read_text(encoding="utf-8")
    assert f'href="{colab}colab/ch.ipynb"' in text and f'href="{colab}ch.md"' not in text
    assert "course-lib @ git+https://github.com/example-org/mini-course@spring" in (
        tmp_path / "book" / "colab" / "ch.ipynb"
    ).read_text(encoding="utf-8")
