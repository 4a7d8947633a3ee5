"""Keep the book's execution cache honest about ``course_lib``: ``python -m course_tools.build.book_cache``.

Jupyter Book re-executes a page only when the page's own code cells change: its cache
(jupyter-cache, keyed by a hash of the code cells) knows nothing of the modules a page
imports. A fix in :mod:`course_lib.numpy_nn.rnn` would leave every chapter showing outputs of
the old code. ``_config.yml`` lists this module as a Sphinx extension, so it runs at the start
of every build (``python -m course_tools.build.book_cache`` runs it alone): for every page it computes
a *library hash*, the hash of the ``course_lib`` source files the page's code imports,
followed transitively through imports inside ``course_lib`` (package ``__init__.py`` files
included, since importing a submodule runs them). When a page's library
hash differs from the one recorded at the previous run, its cached executions are removed
and Sphinx is told to read the page again (its source is unchanged, so it would not), so the
build executes it again; pages that do not use the changed module keep their cache.

The record is a small JSON file beside the cache, ``course_lib_hashes.json``, mapping each
page's path to its library hash. Invariant after every run: each cached execution of a page
was produced with (or checked against) the library state recorded for that page, so a
record for a page never seen before is treated as stale.

A page whose code mentions ``course_lib`` in a way the static analysis cannot follow
(``importlib``, ``__import__``) depends on the whole package, to stay on the safe side.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PACKAGE = "course_lib"
MANIFEST_NAME = "course_lib_hashes.json"
DEFAULT_CACHE = "_build/.jupyter_cache"  # jupyter-book's default, as in _config.yml
# IPython lines that are not Python: magics (%, %%) and shell escapes (!).
_IPYTHON_LINE = re.compile(r"^\s*(%|!)")
_CODE_CELL = re.compile(r"^(?P<fence>`{3,}|~{3,})\s*\{code-cell\}")
_CELL_OPTION = re.compile(r"^:[\w-]+:")


# ---------------------------------------------------------------------------- finding imports


def code_cells(page: Path) -> list[str]:
    """The source of each code cell of a page: a MyST Markdown notebook or an ``.ipynb``.

    Read without jupytext or nbformat (their imports take seconds), which is all an import
    scan needs: in MyST, a code cell is a ```` ```{code-cell} ```` fence whose leading
    ``:option:`` lines or ``---`` YAML block are cell metadata, not code.
    """
    text = page.read_text(encoding="utf-8")
    if page.suffix == ".ipynb":
        return [
            "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            for cell in json.loads(text).get("cells", [])
            if cell.get("cell_type") == "code"
        ]
    cells = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        opening = _CODE_CELL.match(lines[i])
        i += 1
        if not opening:
            continue
        fence = opening.group("fence")
        body = []
        while i < len(lines) and not _closes(lines[i], fence):
            body.append(lines[i])
            i += 1
        i += 1
        if body and body[0].strip() == "---":  # a YAML metadata block
            end = next((k for k in range(1, len(body)) if body[k].strip() == "---"), 0)
            body = body[end + 1 :]
        while body and _CELL_OPTION.match(body[0]):
            body = body[1:]
        cells.append("\n".join(body))
    return cells


def _closes(line: str, fence: str) -> bool:
    """Whether ``line`` closes a code fence opened by ``fence`` (same character, as long)."""
    stripped = line.strip()
    return len(stripped) >= len(fence) and set(stripped) == {fence[0]}


def _python_source(cell: str) -> str:
    """A cell with IPython magics and shell escapes blanked, so that ``ast`` can parse it."""
    return "\n".join("" if _IPYTHON_LINE.match(line) else line for line in cell.splitlines())


def imported_names(source: str, module: str | None = None, is_package: bool = False) -> set[str]:
    """Dotted names of the ``course_lib`` modules (or attributes) that ``source`` imports.

    ``from course_lib.x import y`` yields both ``course_lib.x`` and ``course_lib.x.y`` (``y``
    may be a submodule or a function; the caller keeps whichever exists as a file). Relative
    imports are resolved against ``module``, the dotted name of the file being read.

    >>> sorted(imported_names("import numpy as np\\nfrom course_lib.grading import assert_close"))
    ['course_lib.grading', 'course_lib.grading.assert_close']
    >>> sorted(imported_names("from . import rnn", module="course_lib.numpy_nn", is_package=True))
    ['course_lib.numpy_nn', 'course_lib.numpy_nn.rnn']
    """
    tree = ast.parse(_python_source(source))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level and module:
                parts = module.split(".")
                # `from . import x` in a package's __init__ refers to the package itself
                keep = len(parts) - node.level + (1 if is_package else 0)
                base = ".".join(parts[:keep] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
    return {name for name in names if name == PACKAGE or name.startswith(PACKAGE + ".")}


def module_file(name: str, lib_parent: Path) -> Path | None:
    """The source file of dotted module ``name`` under ``lib_parent``, or None if not a module."""
    base = lib_parent.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _with_parents(name: str) -> list[str]:
    """``a.b.c`` -> ``[a, a.b, a.b.c]``: importing a submodule runs every parent ``__init__``."""
    parts = name.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def library_files(names: Iterable[str], lib_dir: Path) -> set[Path]:
    """Every ``course_lib`` source file that importing ``names`` executes (transitively)."""
    lib_parent = lib_dir.parent
    seen: set[Path] = set()
    todo = [parent for name in names for parent in _with_parents(name)]
    while todo:
        path = module_file(todo.pop(), lib_parent)
        if path is None or path in seen:
            continue
        seen.add(path)
        relative = path.relative_to(lib_parent).with_suffix("")
        is_package = relative.name == "__init__"
        dotted = ".".join(relative.parent.parts if is_package else relative.parts)
        try:
            found = imported_names(path.read_text(encoding="utf-8"), dotted, is_package)
        except SyntaxError:
            found = set()  # the file is still hashed; a broken module fails the build anyway
        todo.extend(parent for name in found for parent in _with_parents(name))
    return seen


# ---------------------------------------------------------------------------- hashing pages


def page_dependencies(page: Path, lib_dir: Path) -> set[Path]:
    """The ``course_lib`` files a page's code cells depend on (all of them if unclear)."""
    names: set[str] = set()
    opaque = False
    for cell in code_cells(page):
        try:
            found = imported_names(cell)
        except SyntaxError:
            found = set()
        names |= found
        if PACKAGE in cell and not found:
            opaque = True  # mentioned but not imported statically: importlib, strings, ...
    if opaque:
        return set(lib_dir.rglob("*.py"))
    return library_files(names, lib_dir)


def files_hash(files: Iterable[Path], root: Path) -> str:
    """SHA-256 over the sorted relative paths and contents of ``files`` (hex digest)."""
    digest = hashlib.sha256()
    for path in sorted(files, key=lambda p: p.relative_to(root).as_posix()):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def library_hash(page: Path, lib_dir: Path) -> str:
    """The hash of the library code a page executes; equal for pages that import nothing."""
    return files_hash(page_dependencies(page, lib_dir), lib_dir.parent)


# ---------------------------------------------------------------------------- the cache


def toc_pages(root: Path) -> list[Path]:
    """The source files that ``_toc.yml`` lists (``file:`` and ``root:`` entries that exist)."""
    toc = root / "_toc.yml"
    if not toc.is_file():
        return []
    import yaml

    entries: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("file", "root") and isinstance(value, str):
                    entries.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(yaml.safe_load(toc.read_text(encoding="utf-8")))
    pages = []
    for entry in entries:
        for suffix in ("", ".md", ".ipynb"):
            candidate = root / f"{entry}{suffix}"
            if candidate.is_file() and candidate.suffix in (".md", ".ipynb"):
                pages.append(candidate.resolve())
                break
    return pages


def cache_path_from_config(root: Path) -> Path:
    """``execute.cache`` from ``_config.yml`` (relative to ``root``), or jupyter-book's default."""
    config = root / "_config.yml"
    value = DEFAULT_CACHE
    if config.is_file():
        import yaml

        execute = (yaml.safe_load(config.read_text(encoding="utf-8")) or {}).get("execute") or {}
        value = execute.get("cache") or DEFAULT_CACHE
    path = Path(value)
    return path if path.is_absolute() else root / path


def _remove_record(cache: object, pk: int) -> None:
    """Remove one cached execution, even if its notebook file has already gone from disk."""
    from jupyter_cache.cache.db import NbCacheRecord

    try:
        cache.remove_cache(pk)  # type: ignore[attr-defined]
    except KeyError:
        NbCacheRecord.remove_records([pk], cache.db)  # type: ignore[attr-defined]


@dataclass
class Report:
    """What :func:`refresh` did: pages checked, and the pages whose cache it removed."""

    checked: list[Path] = field(default_factory=list)
    removed: dict[Path, int] = field(default_factory=dict)  # page -> records removed

    def summary(self) -> str:
        if not self.removed:
            return f"book cache: {len(self.checked)} pages checked, none stale"
        pages = ", ".join(f"{page.name} ({count})" for page, count in sorted(self.removed.items()))
        return (
            f"book cache: {len(self.checked)} pages checked; course_lib changed for "
            f"{len(self.removed)}, their cached executions removed: {pages}"
        )


def refresh(root: Path, cache_dir: Path | None = None, pages: Sequence[Path] | None = None) -> Report:
    """Remove cached executions whose pages import ``course_lib`` code that has changed.

    ``pages`` defaults to the ``_toc.yml`` entries. When any page's hash changed (or a recorded
    page was deleted), every cached execution is checked, including those of pages no longer
    in the toc. Writes the record of library hashes even when there is no cache yet, so that
    the first build's executions are trusted by the next run.
    """
    root = root.resolve()
    lib_dir = root / PACKAGE
    cache_dir = (cache_dir or cache_path_from_config(root)).resolve()
    manifest_path = cache_dir / MANIFEST_NAME
    manifest: dict[str, str] = {}
    if manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))

    toc = {Path(p).resolve() for p in (pages if pages is not None else toc_pages(root))}
    current = {page: library_hash(page, lib_dir) for page in sorted(toc) if page.is_file()}
    report = Report()
    # Fast path, the usual one: every page's library hash is as recorded and no recorded page
    # has gone, so no cached execution can be stale and the cache need not even be opened.
    clean = (
        manifest_path.is_file()
        and all(manifest.get(str(page)) == digest for page, digest in current.items())
        and all(Path(key).is_file() for key in manifest)
    )
    if (cache_dir / "global.db").is_file() and not clean:
        from jupyter_cache import get_cache

        cache = get_cache(cache_dir)
        for record in cache.list_cache_records():
            page = Path(record.uri).resolve()
            if page.is_file() and page not in current:  # cached from a page not in the toc
                current[page] = library_hash(page, lib_dir)
            if page.is_file() and manifest.get(str(page)) == current[page]:
                continue
            _remove_record(cache, record.pk)
            report.removed[page] = report.removed.get(page, 0) + 1
    report.checked = sorted(current)

    manifest = {key: value for key, value in manifest.items() if Path(key).is_file()}
    manifest.update({str(page): digest for page, digest in current.items()})
    cache_dir.mkdir(parents=True, exist_ok=True)
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return report


# ---------------------------------------------------------------------------- Sphinx hook


def _outdated_notebooks(app: Any, env: Any, added: set, changed: set, removed: set) -> list[str]:
    """``env-get-outdated``: pages Sphinx must read again although their source is unchanged.

    Sphinx re-reads (and myst-nb re-executes) only pages whose source changed. A page whose
    cached execution :func:`refresh` just removed, or whose last execution failed, has an
    unchanged source: without this hook it would keep its old outputs, or its error, silently.
    """
    toc_changed = _pages_of_a_changed_toc(app, env) | _a_page_if_static_files_changed(app, env)
    if app.config.nb_execution_mode != "cache":
        return sorted(toc_changed - added - changed)
    cache_dir = Path(app.config.nb_execution_cache_path or DEFAULT_CACHE).resolve()
    docnames = {str(Path(env.doc2path(doc)).resolve()): doc for doc in env.found_docs}
    report = refresh(Path(app.srcdir), cache_dir, pages=[Path(path) for path in docnames])
    outdated = {docnames[str(page)] for page in report.removed if str(page) in docnames}
    if (cache_dir / "global.db").is_file():
        from jupyter_cache import get_cache

        for record in get_cache(cache_dir).list_project_records():
            if record.traceback and str(Path(record.uri).resolve()) in docnames:
                outdated.add(docnames[str(Path(record.uri).resolve())])  # failed last time
    if report.removed:
        print(report.summary())
    outdated |= toc_changed
    return sorted(outdated - added - changed)


def _pages_of_a_changed_toc(app: Any, env: Any) -> set[str]:
    """Every page, when ``_toc.yml`` changed since the last build: each page's previous and
    next links, and its place in the sidebar, come from the table of contents, which Sphinx
    does not count as a page's source (a page added before ``notation`` would leave
    ``notation``'s "previous" link pointing past it)."""
    toc = Path(app.srcdir) / (getattr(app.config, "external_toc_path", None) or "_toc.yml")
    digest = hashlib.sha256(toc.read_bytes()).hexdigest() if toc.is_file() else ""
    before = getattr(env, "course_toc_digest", None)
    env.course_toc_digest = digest
    return set(env.found_docs) if before is not None and before != digest else set()


def _a_page_if_static_files_changed(app: Any, env: Any) -> set[str]:
    """The root page, when a file of ``html_static_path`` (``course.css``, a script) changed
    since the last build: with no page out of date Sphinx skips its whole writing phase, static
    files included, and the site would keep the old stylesheet."""
    folders = getattr(app.config, "html_static_path", None) or []
    files = sorted(f for folder in folders for f in (Path(app.srcdir) / folder).rglob("*") if f.is_file())
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.as_posix().encode() + b"\0" + file.read_bytes())
    before = getattr(env, "course_static_digest", None)
    env.course_static_digest = digest.hexdigest()
    changed = before is not None and before != env.course_static_digest
    return {getattr(app.config, "root_doc", "index")} if changed else set()


def setup(app: Any) -> dict[str, Any]:
    """Sphinx extension (list ``course_tools.build.book_cache`` in ``extensions``): run :func:`refresh`
    before every build and re-read the pages it made stale, so ``jupyter-book build`` alone
    never shows outputs of old library code."""
    app.connect("env-get-outdated", _outdated_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m course_tools.build.book_cache [--root DIR] [--cache DIR]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("."), help="the book's root (with _toc.yml)")
    parser.add_argument(
        "--cache", type=Path, default=None, help="jupyter-cache folder (default: from _config.yml)"
    )
    args = parser.parse_args(argv)
    print(refresh(args.root, args.cache).summary())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
