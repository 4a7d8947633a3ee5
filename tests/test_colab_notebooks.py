"""The chapters' Colab twins (book/colab/*.ipynb): one per chapter, up to date with it, carrying
the chapter's code unchanged, plain Markdown, and a first cell that installs course_lib on Colab
and nowhere else; and the chapters use no package Colab lacks."""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import types
from pathlib import Path

import nbformat
import pytest
import yaml

from course_tools.build.book_cache import code_cells, page_dependencies
from course_tools.build.colab import COLAB_PROVIDES, TWIN_FOLDER, chapters, make_twin, twin_of

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
    included = [line.split(":pyobject:")[1].strip() for line in chapter.read_text().splitlines()
                if line.startswith(":pyobject:")]
    for name in included:  # each {literalinclude} :pyobject: X is shown as the code of X
        assert f"def {name.split('.')[-1]}(" in markdown or f"class {name}" in markdown, name


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
    for folder in ("book", "course_lib", "solutions"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    course = ["--root", str(tmp_path), "build-colab"]
    assert main([*course, "--check"]) == 0, capsys.readouterr().err
    chapter = tmp_path / "book" / "03_bptt.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
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
