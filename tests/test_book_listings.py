"""Code the book shows from course_lib reads as plain text: no raw reST or LaTeX.

A listing (a ``{literalinclude}`` of a course_lib object) shows the object's docstring as it is
written, so ``.. math::``, ``:func:`x```, ````x```` or ``\\frac`` would reach the reader raw.
The docstrings of shown objects write equations in Unicode instead (``h_next = tanh(x Wx +
h_prev Wh + b)``, ``∂L/∂a``, ``σ``, ``⊙``). Checked twice: on the sources (fast, and naming the
object) and on the built pages (every ``pre`` outside a code cell). Sideways scrolling of
listings is checked in the browser (tests/test_book_browser.py).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from book_site import ROOT, built_book, content_pages

from course_tools.build.colab import _included_code

RAW = {
    "a reST role such as :func:`x`": re.compile(r":[a-z]+:`"),
    "a reST directive such as .. math::": re.compile(r"^[ \t]*\.\. [a-z-]+::", re.M),
    "reST double backticks": re.compile(r"``"),
    "a LaTeX command": re.compile(
        r"\\(frac|partial|odot|otimes|text|mathrm|mathbb|mathcal|operatorname|lVert|rVert|langle|rangle|"
        r"sigma|tanh|sum|prod|cdot|sqrt|qquad|quad|begin|end|le|ge|in|top|ell|dots|ldots|big|Big|left|right|"
        r"alpha|beta|mu|tau|pi|infty|exp|log|sin|cos)(?![A-Za-z])"
    ),
}
INCLUDE = re.compile(
    r"^(?P<fence>`{3,}|~{3,})\{literalinclude\}\s*(?P<path>\S+)\n(?P<options>(?::[^\n]*\n)*)", re.M
)


def _listings() -> list[tuple[str, Path, str, str]]:
    """(id, page, path, options) of every {literalinclude} of every page of the book."""
    found = []
    for page in sorted((ROOT / "book").rglob("*.md")):
        for match in INCLUDE.finditer(page.read_text(encoding="utf-8")):
            shown = re.search(r":pyobject:\s*(\S+)", match["options"])
            name = shown[1] if shown else match["path"]
            found.append((f"{page.stem}:{name}", page, match["path"], match["options"]))
    return found


def _problems(text: str) -> list[str]:
    return [f"{what}: {m.group(0)!r}" for what, pattern in RAW.items() for m in pattern.finditer(text)]


def test_the_patterns_catch_what_they_should():
    assert _problems('r"""Step.\n\n    .. math:: h_t = \\tanh(a)\n"""') == [
        "a reST directive such as .. math::: '    .. math::'",
        "a LaTeX command: '\\\\tanh'",
    ]
    assert _problems("see :func:`rnn_forward` and ``x``") == [
        "a reST role such as :func:`x`: ':func:`'",
        "reST double backticks: '``'",
        "reST double backticks: '``'",
    ]
    plain = '"""h_next = tanh(x Wx + h_prev Wh + b), ∂L/∂a = ∂L/∂h ⊙ (1 − h²)."""\nprint("\\n")'
    assert _problems(plain) == []


@pytest.mark.parametrize("listing", _listings(), ids=lambda item: item[0])
def test_a_listing_shows_no_raw_rest_or_latex(listing):
    _, page, path, options = listing
    code = _included_code(page, path, options)
    assert not _problems(code), f"{listing[0]} shows raw markup: write its docstring in plain Unicode"


class _Listings(HTMLParser):
    """The text of every ``pre`` that is not inside a code cell (class ``cell``)."""

    VOID = {"br", "img", "hr", "meta", "link", "input", "wbr", "source", "col", "area", "base", "embed",
            "track"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, bool]] = []  # (tag, is a code cell)
        self.listings: list[str] = []
        self._current: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        self.stack.append((tag, "cell" in classes))
        if tag == "pre" and not any(cell for _, cell in self.stack):
            self._current = []

    def handle_endtag(self, tag):
        if tag in self.VOID or not self.stack:
            return
        self.stack.pop()
        if tag == "pre" and self._current is not None:
            self.listings.append("".join(self._current))
            self._current = None

    def handle_data(self, data):
        if self._current is not None:
            self._current.append(data)


@pytest.mark.slow
@pytest.mark.book
@pytest.mark.xdist_group("book")
def test_built_listings_show_no_raw_rest_or_latex():
    build = built_book()
    assert build.returncode in (None, 0), f"the book does not build with -W -n:\n{build.log[-6000:]}"
    problems, seen = {}, 0
    for page in content_pages(build.html):
        parser = _Listings()
        parser.feed(page.read_text(encoding="utf-8"))
        seen += len(parser.listings)
        found = [p for listing in parser.listings for p in _problems(listing)]
        if found:
            problems[page.relative_to(build.html).as_posix()] = found[:5]
    assert seen > 10, "found almost no listings: did the page layout change?"
    assert not problems, f"listings with raw reST or LaTeX: {problems}"
