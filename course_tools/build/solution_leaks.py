"""Find lines of graded solutions in what the book publishes.

A graded solution is the body of a ``### BEGIN SOLUTION`` / ``### END SOLUTION`` block in a
notebook of ``solutions/``. Its lines of at least :data:`MIN_CHARS` characters (shorter ones,
``return h``, say, are too common to mean anything) are compared with the text of a built
book with all whitespace removed, so neither re-indentation, line wrapping nor syntax
highlighting (which splits code into many HTML elements) hides a copy.

- :func:`solution_lines` collects them;
- :func:`html_text`, :func:`notebook_text` turn a built file into the text a reader can get
  out of it (for HTML, optionally without the elements of one class: the reader edition's
  ``solution`` blocks);
- :func:`find_leaks` lists the solution lines in a text, :func:`scan_build` in every file of a
  build folder (HTML pages, the search index, ``_sources/``, ``_downloads/``, notebooks);
- :func:`released_lines` names the few solution lines that a released exercise notebook shows
  anyway, outside its answer cells (an idiom such as ``with torch.no_grad():`` in a test
  cell): finding one of those in the book is no leak, and :func:`checked_lines` leaves them out.

``tests/test_book_editions.py`` uses them on both editions of the book, and
``tests/test_colab_notebooks.py`` on the chapters' Colab notebooks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

MIN_CHARS = 20  # a solution line this long (after stripping) is specific enough to count
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
# Files of a build that hold text a reader can read or download; the rest are images and fonts.
TEXT_SUFFIXES = {".html", ".js", ".json", ".txt", ".md", ".ipynb", ".py", ".css", ".svg", ".xml", ".rst"}
# HTML elements that never have a closing tag.
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_WHITESPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """``text`` without any whitespace: how lines and pages are compared."""
    return _WHITESPACE.sub("", text)


def solution_lines(solutions: Path, min_chars: int = MIN_CHARS) -> dict[str, str]:
    """Every solution line of ``solutions/*/*.ipynb``, normalised, mapped to where it comes from.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "a1").mkdir()
    >>> cell = {"cell_type": "code", "metadata": {"nbgrader": {"grade_id": "f"}}, "source": [
    ...     "def f(x):\\n", "    ### BEGIN SOLUTION\\n", "    y = x  # short\\n",
    ...     "    return np.tanh(x @ W + b)\\n", "    ### END SOLUTION\\n"]}
    >>> _ = (folder / "a1" / "nb.ipynb").write_text(json.dumps({"cells": [cell]}))
    >>> solution_lines(folder)
    {'returnnp.tanh(x@W+b)': 'a1/nb.ipynb, f: return np.tanh(x @ W + b)'}
    """
    found: dict[str, str] = {}
    for path in sorted(solutions.glob("*/*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        for cell in notebook.get("cells", []):
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else source
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "?")
            for line in _solution_body(source):
                if len(line.strip()) >= min_chars:
                    where = f"{path.relative_to(solutions).as_posix()}, {grade_id}: {line.strip()}"
                    found.setdefault(normalise(line), where)
    return found


def _solution_body(source: str) -> Iterator[str]:
    inside = False
    for line in source.splitlines():
        if BEGIN in line:
            inside = True
        elif END in line:
            inside = False
        elif inside:
            yield line


class _Text(HTMLParser):
    """Text content of an HTML document (scripts and styles included), optionally leaving out
    every element whose class list contains ``skip_class`` and everything inside it."""

    def __init__(self, skip_class: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.skip_class = skip_class
        self.parts: list[str] = []
        self._stack: list[bool] = []  # for each open element: does it start a skipped region?
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        starts = self.skip_class is not None and self.skip_class in classes
        self._stack.append(starts)
        self._skipping += starts

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or not self._stack:
            return
        self._skipping -= self._stack.pop()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_text(html: str, *, skip_class: str | None = None) -> str:
    """The text of an HTML page, without the elements of class ``skip_class`` if given.

    >>> html_text('<p>a &lt; b</p><div class="solution x"><pre>secret</pre></div><br><p>c</p>',
    ...           skip_class="solution")
    'a < bc'
    """
    parser = _Text(skip_class)
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def notebook_text(text: str) -> str:
    """Every string in a notebook's JSON (sources, outputs, metadata), one per line."""
    strings: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            strings.append(value)
        elif isinstance(value, list):
            if value and all(isinstance(item, str) for item in value):
                strings.append("".join(value))  # a multi-line source or output, split in lines
            else:
                for item in value:
                    walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)

    walk(json.loads(text))
    return "\n".join(strings)


def find_leaks(
    text: str,
    lines: Mapping[str, str],
    *,
    html: bool = False,
    notebook: bool = False,
    skip_class: str | None = None,
) -> list[str]:
    """The solution lines (their descriptions from :func:`solution_lines`) found in ``text``.

    With ``html`` the text is a page (see :func:`html_text`), with ``notebook`` an ``.ipynb``.
    """
    if html:
        text = html_text(text, skip_class=skip_class)
    elif notebook:
        text = notebook_text(text)
    haystack = normalise(text)
    return sorted(where for line, where in lines.items() if line in haystack)


def scan_build(
    folder: Path, lines: Mapping[str, str], *, skip_class: str | None = None
) -> dict[str, list[str]]:
    """Solution lines in every text file under ``folder`` (a build's output), by file.

    HTML files are read as pages (without ``skip_class`` elements if given), notebooks as
    notebooks, everything else (the search index, page sources, downloads) as plain text.
    """
    leaks: dict[str, list[str]] = {}
    for path in _text_files(folder):
        text = path.read_text(encoding="utf-8", errors="replace")
        found = find_leaks(
            text,
            lines,
            html=path.suffix == ".html",
            notebook=path.suffix == ".ipynb" and text.lstrip().startswith("{"),
            skip_class=skip_class,
        )
        if found:
            leaks[path.relative_to(folder).as_posix()] = found
    return leaks


def released_lines(lines: Mapping[str, str], exercises: Path) -> dict[str, str]:
    """The solution lines (descriptions) that a released notebook of ``exercises/`` shows, by notebook."""
    given: dict[str, str] = {}
    for notebook in sorted(exercises.glob("*/*.ipynb")):
        for where in find_leaks(notebook.read_text(encoding="utf-8"), lines, notebook=True):
            given.setdefault(where, notebook.relative_to(exercises).as_posix())
    return given


def checked_lines(solutions: Path, exercises: Path) -> dict[str, str]:
    """:func:`solution_lines` of ``solutions/`` without the :func:`released_lines` of ``exercises/``."""
    lines = solution_lines(solutions)
    given = released_lines(lines, exercises)
    return {line: where for line, where in lines.items() if where not in given}


def _text_files(folder: Path) -> Iterable[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES)
