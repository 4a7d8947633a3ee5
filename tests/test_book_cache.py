"""course_tools.build.book_cache: a page's cached execution goes stale exactly when library code it runs changes."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import nbformat
import pytest

from course_tools.build import book_cache
from course_tools.build.book_cache import (
    MANIFEST_NAME,
    code_cells,
    imported_names,
    library_files,
    library_hash,
    page_dependencies,
    refresh,
    toc_pages,
)

PAGE_HEADER = """\
---
jupytext:
  text_representation: {extension: .md, format_name: myst}
kernelspec: {display_name: Python 3, language: python, name: python3}
---

# A page
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def page(path: Path, *cells: str) -> Path:
    body = "".join(f"\n```{{code-cell}} ipython3\n{textwrap.dedent(cell).strip()}\n```\n" for cell in cells)
    return write(path, PAGE_HEADER + body)


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """A book root with a small fake course_lib: a -> .b, sub.d -> ..a, c and e unrelated."""
    lib = tmp_path / "course_lib"
    write(lib / "__init__.py", '"""The package."""\n')
    write(lib / "a.py", "from .b import helper\n\ndef used():\n    return helper()\n")
    write(lib / "b.py", "def helper():\n    return 1\n")
    write(lib / "c.py", "import numpy as np\n")
    write(lib / "e.py", "from course_lib import c\n")
    write(lib / "sub" / "__init__.py", "from . import d\n")
    write(lib / "sub" / "d.py", "from ..a import used\n")
    write(
        tmp_path / "_toc.yml",
        """\
        format: jb-book
        root: book/intro
        parts:
          - caption: One
            chapters:
              - file: book/uses_a
                sections:
                  - file: book/uses_sub
          - caption: Two
            chapters:
              - file: book/missing_page
    """,
    )
    write(tmp_path / "book" / "intro.md", "# Intro\n")
    page(
        tmp_path / "book" / "uses_a.md",
        "%matplotlib inline\nimport numpy as np",
        "from course_lib.a import used\nused()",
    )
    page(tmp_path / "book" / "uses_sub.md", "import course_lib.sub.d as d")
    return tmp_path


def names(paths, root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in paths)


@pytest.mark.parametrize(
    "source, expected",
    [
        ("import course_lib", {"course_lib"}),
        ("import course_lib.numpy_nn.rnn as rnn", {"course_lib.numpy_nn.rnn"}),
        (
            "from course_lib import grading, plotting as p",
            {"course_lib", "course_lib.grading", "course_lib.plotting"},
        ),
        (
            "from course_lib.grading import assert_close",
            {"course_lib.grading", "course_lib.grading.assert_close"},
        ),
        ("import numpy as np\nfrom torch import nn", set()),
        ("%matplotlib inline\n!ls\nimport course_lib.training", {"course_lib.training"}),
        ("def f():\n    from course_lib import data\n    return data", {"course_lib", "course_lib.data"}),
    ],
)
def test_imported_names_finds_every_form_of_import(source, expected):
    assert imported_names(source) == expected


def test_relative_imports_resolve_against_the_importing_module():
    assert imported_names("from ..a import used", "course_lib.sub.d") == {"course_lib.a", "course_lib.a.used"}
    assert imported_names("from . import d", "course_lib.sub", is_package=True) == {
        "course_lib.sub",
        "course_lib.sub.d",
    }
    assert imported_names("from .b import helper", "course_lib.a") == {"course_lib.b", "course_lib.b.helper"}


def test_library_files_follow_imports_transitively_with_parent_packages(book):
    lib = book / "course_lib"
    assert names(library_files({"course_lib.a.used"}, lib), book) == [
        "course_lib/__init__.py",
        "course_lib/a.py",
        "course_lib/b.py",
    ]
    assert names(library_files({"course_lib.sub.d"}, lib), book) == [
        "course_lib/__init__.py",
        "course_lib/a.py",
        "course_lib/b.py",
        "course_lib/sub/__init__.py",
        "course_lib/sub/d.py",
    ]
    assert names(library_files({"course_lib.e"}, lib), book) == [
        "course_lib/__init__.py",
        "course_lib/c.py",
        "course_lib/e.py",
    ]


def test_page_dependencies_read_the_code_cells_only(book):
    prose = page(book / "book" / "prose.md", "x = 1")
    prose.write_text(prose.read_text() + "\nThe text may name `course_lib.c` freely.\n")
    assert page_dependencies(prose, book / "course_lib") == set()
    assert names(page_dependencies(book / "book" / "uses_a.md", book / "course_lib"), book) == [
        "course_lib/__init__.py",
        "course_lib/a.py",
        "course_lib/b.py",
    ]


def test_a_page_that_hides_its_imports_depends_on_the_whole_library(book):
    hidden = page(
        book / "book" / "hidden.md", "import importlib\nm = importlib.import_module('course_lib.c')"
    )
    assert page_dependencies(hidden, book / "course_lib") == set((book / "course_lib").rglob("*.py"))


def test_ipynb_pages_are_read_too(book):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("from course_lib import b")])
    path = book / "exercises" / "x.ipynb"
    path.parent.mkdir()
    nbformat.write(notebook, path)
    assert names(page_dependencies(path, book / "course_lib"), book) == [
        "course_lib/__init__.py",
        "course_lib/b.py",
    ]


def test_library_hash_changes_only_with_code_the_page_runs(book):
    uses_a = book / "book" / "uses_a.md"
    before = library_hash(uses_a, book / "course_lib")
    (book / "course_lib" / "c.py").write_text("import numpy as np  # unrelated edit\n")
    assert library_hash(uses_a, book / "course_lib") == before
    (book / "course_lib" / "b.py").write_text("def helper():\n    return 2\n")
    assert library_hash(uses_a, book / "course_lib") != before


def test_toc_pages_lists_the_files_that_exist(book):
    assert names(toc_pages(book), book) == ["book/intro.md", "book/uses_a.md", "book/uses_sub.md"]


def _cache_execution(cache_dir: Path, path: Path) -> int:
    """Record an execution of ``path`` in jupyter-cache the way myst-nb does (uri = the path)."""
    import jupytext
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(cache_dir)
    record = cache.cache_notebook_bundle(
        CacheBundleIn(jupytext.read(path), str(path)), check_validity=False, overwrite=True
    )
    return record.pk


def _cached_uris(cache_dir: Path) -> list[str]:
    from jupyter_cache import get_cache

    return sorted(Path(r.uri).name for r in get_cache(cache_dir).list_cache_records())


def test_refresh_removes_exactly_the_stale_executions(book):
    cache_dir = book / "_build" / ".jupyter_cache"
    uses_a, uses_sub = book / "book" / "uses_a.md", book / "book" / "uses_sub.md"

    report = refresh(book, cache_dir)  # before the first build: nothing cached yet
    assert not report.removed and len(report.checked) == 3
    manifest = json.loads((cache_dir / MANIFEST_NAME).read_text())
    assert set(manifest) == {str(p.resolve()) for p in (book / "book").glob("*.md")}

    for path in (uses_a, uses_sub):  # the build executes and caches both pages
        _cache_execution(cache_dir, path)
    assert refresh(book, cache_dir).removed == {}  # unchanged: everything stays cached
    assert _cached_uris(cache_dir) == ["uses_a.md", "uses_sub.md"]

    (book / "course_lib" / "c.py").write_text("# only e.py uses this\n")
    assert refresh(book, cache_dir).removed == {}

    (book / "course_lib" / "sub" / "d.py").write_text("from ..a import used  # edited\n")
    report = refresh(book, cache_dir)
    assert report.removed == {uses_sub.resolve(): 1}
    assert _cached_uris(cache_dir) == ["uses_a.md"]
    assert "uses_sub.md (1)" in report.summary()

    _cache_execution(cache_dir, uses_sub)  # the next build executes it again, with the new d
    assert refresh(book, cache_dir).removed == {}

    (book / "course_lib" / "b.py").write_text("def helper():\n    return 3\n")  # both run b
    assert set(refresh(book, cache_dir).removed) == {uses_a.resolve(), uses_sub.resolve()}
    assert _cached_uris(cache_dir) == []


def test_an_execution_recorded_before_any_hash_is_treated_as_stale(book):
    cache_dir = book / "_build" / ".jupyter_cache"
    _cache_execution(cache_dir, book / "book" / "uses_a.md")  # cache from before this tool
    assert refresh(book, cache_dir).removed == {(book / "book" / "uses_a.md").resolve(): 1}


def test_executions_of_deleted_pages_are_removed(book):
    cache_dir = book / "_build" / ".jupyter_cache"
    gone = page(book / "book" / "gone.md", "import course_lib.b")
    refresh(book, cache_dir, pages=[gone])
    _cache_execution(cache_dir, gone)
    gone.unlink()
    assert refresh(book, cache_dir).removed == {gone.resolve(): 1}
    assert str(gone.resolve()) not in json.loads((cache_dir / MANIFEST_NAME).read_text())


def test_command_line_reads_the_cache_path_from_config(book, capsys):
    write(book / "_config.yml", "execute:\n  cache: elsewhere/cache\n")
    assert book_cache.main(["--root", str(book)]) == 0
    assert "3 pages checked, none stale" in capsys.readouterr().out
    assert (book / "elsewhere" / "cache" / MANIFEST_NAME).is_file()


def test_every_page_of_the_real_book_can_be_analysed(root):
    lib = root / "course_lib"
    for path in toc_pages(root):
        files = page_dependencies(path, lib)
        assert all(f.is_file() and lib in f.parents for f in files), path


def test_code_cells_skip_cell_options_and_metadata_blocks(tmp_path):
    text = PAGE_HEADER + textwrap.dedent("""
        Some prose with ```inline``` backticks.

        ```{code-cell} ipython3
        :tags: [hide-output]
        import course_lib.a
        ```

        ````{code-cell} ipython3
        ---
        tags: [remove-input]
        ---
        s = \"\"\"
        ```
        \"\"\"
        ````

        ```python
        import course_lib.not_a_cell
        ```
        """)
    path = write(tmp_path / "p.md", text)
    assert code_cells(path) == ["import course_lib.a", 's = """\n```\n"""']


def test_code_cells_agree_with_jupytext_on_every_real_page(root):
    jupytext = pytest.importorskip("jupytext")
    notebooks = [p for p in sorted((root / "book").rglob("*.md")) if "format_name: myst" in p.read_text()]
    assert notebooks, "no MyST notebook pages in book/"
    for path in notebooks:  # (plain Markdown pages are not executed: myst-nb needs the header)
        expected = [c.source for c in jupytext.read(path).cells if c.cell_type == "code"]
        assert [c.strip() for c in code_cells(path)] == [c.strip() for c in expected], path


def test_the_sphinx_hook_makes_sphinx_reread_stale_and_failed_pages(book):
    """``env-get-outdated``: pages whose cached run was dropped, or whose last run failed."""
    from types import SimpleNamespace

    from jupyter_cache import get_cache
    from jupyter_cache.cache.db import NbProjectRecord

    cache_dir = book / "_build" / ".jupyter_cache"
    docs = ["book/intro", "book/uses_a", "book/uses_sub"]
    app = SimpleNamespace(
        srcdir=str(book),
        config=SimpleNamespace(nb_execution_mode="cache", nb_execution_cache_path=str(cache_dir)),
    )
    env = SimpleNamespace(found_docs=set(docs), doc2path=lambda doc: str(book / f"{doc}.md"))

    def outdated() -> list[str]:
        return book_cache._outdated_notebooks(app, env, set(), set(), set())

    assert outdated() == []  # first build: nothing cached, nothing to re-read
    for doc in docs[1:]:
        _cache_execution(cache_dir, book / f"{doc}.md")
    assert outdated() == []
    (book / "course_lib" / "sub" / "d.py").write_text("from ..a import used  # edited\n")
    assert outdated() == ["book/uses_sub"]
    _cache_execution(cache_dir, book / "book" / "uses_sub.md")
    assert outdated() == []

    cache = get_cache(cache_dir)
    record = cache.add_nb_to_project(str(book / "book" / "uses_a.md"))
    NbProjectRecord.set_traceback(record.uri, "Traceback: the last run failed", cache.db)
    assert outdated() == ["book/uses_a"]
    assert book_cache._outdated_notebooks(app, env, set(), {"book/uses_a"}, set()) == []


def test_a_changed_table_of_contents_makes_sphinx_reread_every_page(book):
    """A page added to ``_toc.yml`` changes its neighbours' previous and next links although
    their sources are unchanged: after a change of the toc every page is read again, once."""
    from types import SimpleNamespace

    docs = {"book/intro", "book/uses_a", "book/uses_sub"}
    app = SimpleNamespace(srcdir=str(book), config=SimpleNamespace(nb_execution_mode="off"))
    env = SimpleNamespace(found_docs=docs, doc2path=lambda doc: str(book / f"{doc}.md"))

    def outdated(added: set[str] = set()) -> list[str]:
        return book_cache._outdated_notebooks(app, env, added, set(), set())

    assert outdated() == []  # the first build reads everything anyway
    assert outdated() == []  # the toc is unchanged
    toc = book / "_toc.yml"
    toc.write_text(toc.read_text() + "  - file: book/uses_sub\n")
    assert outdated({"book/uses_sub"}) == ["book/intro", "book/uses_a"]
    assert outdated() == []  # read again once, not at every build


def test_a_changed_stylesheet_makes_sphinx_write_the_site_again(book):
    """With no page out of date Sphinx skips its writing phase, static files included: a changed
    ``course.css`` makes one page out of date, once, so the new stylesheet is published."""
    from types import SimpleNamespace

    static = book / "book" / "_static"
    static.mkdir(parents=True, exist_ok=True)
    (static / "course.css").write_text("a { color: red; }\n")
    config = SimpleNamespace(nb_execution_mode="off", html_static_path=["book/_static"], root_doc="book/intro")
    app = SimpleNamespace(srcdir=str(book), config=config)
    env = SimpleNamespace(found_docs={"book/intro", "book/uses_a"}, doc2path=lambda doc: str(book / f"{doc}.md"))

    def outdated() -> list[str]:
        return book_cache._outdated_notebooks(app, env, set(), set(), set())

    assert outdated() == []  # the first build writes everything anyway
    assert outdated() == []  # nothing changed
    (static / "course.css").write_text("a { color: blue; }\n")
    assert outdated() == ["book/intro"]
    assert outdated() == []
