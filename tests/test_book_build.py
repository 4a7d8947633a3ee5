"""The book builds with every warning an error, and its HTML works offline.

Static checks on the built site (the browser checks are in test_book_browser.py): nothing on
any page loads a script, stylesheet, font, image or frame from outside the site; math goes to
the vendored MathJax, whose licence ships with it; every chapter offers its notebook and the
launch links of this repository; released exercises appear unexecuted; the notation page has
its glossary in English and Korean; the bibliography lists the primary papers.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from book_site import ROOT, built_book, content_pages

pytestmark = [pytest.mark.book, pytest.mark.slow, pytest.mark.xdist_group("book")]

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
REPOSITORY = CONFIG["repository"]["url"].removeprefix("https://github.com/").strip("/")
HANGUL = re.compile("[\uac00-\ud7a3]")
# Resource-loading attributes: what the browser fetches by itself when the page opens.
# (`href` of <a> is a link the reader may follow, not a request.)
LOADS = {
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "embed": ("src",),
    "object": ("data",),
}
CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])(?P<url>[^'")\s]+)""")
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.I)  # http://, https://, //host


class _Resources(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "link" and not {"stylesheet", "preload", "icon", "modulepreload", "prefetch"} & set(
            (values.get("rel") or "").split()
        ):
            return  # rel="canonical", "next", ... are not fetched
        for name in LOADS.get(tag, ()):
            for url in (values.get(name) or "").split(","):
                if url.strip():
                    self.urls.append(url.strip().split()[0])
        if values.get("style"):
            self.styles.append(values["style"] or "")
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


@pytest.fixture(scope="module")
def html() -> Path:
    build = built_book()
    assert build.returncode in (None, 0), f"the book does not build with -W -n:\n{build.log[-6000:]}"
    return build.html


@pytest.fixture(scope="module")
def pages(html) -> list[Path]:
    found = content_pages(html)
    assert found, f"no pages in {html}"
    return found


def _external_loads(path: Path) -> list[str]:
    parser = _Resources()
    parser.feed(path.read_text(encoding="utf-8"))
    urls = parser.urls + [m.group("url") for css in parser.styles for m in CSS_URL.finditer(css)]
    return [url for url in urls if EXTERNAL.match(url)]


def test_no_page_loads_anything_from_outside_the_site(html, pages):
    offenders = {p.relative_to(html).as_posix(): _external_loads(p) for p in [*pages, html / "search.html"]}
    offenders = {page: urls for page, urls in offenders.items() if urls}
    assert not offenders, f"pages that would need the network: {offenders}"


def test_no_stylesheet_loads_anything_from_outside_the_site(html):
    offenders = {}
    for css in html.joinpath("_static").rglob("*.css"):
        text = re.sub(r"/\*.*?\*/", "", css.read_text(encoding="utf-8", errors="replace"), flags=re.S)
        urls = [m.group("url") for m in CSS_URL.finditer(text) if EXTERNAL.match(m.group("url"))]
        if urls:
            offenders[css.relative_to(html).as_posix()] = urls
    assert not offenders, f"stylesheets that would fetch from the network: {offenders}"


def test_math_uses_the_vendored_mathjax_and_its_licence_ships(html, pages):
    mathjax = html / "_static" / "mathjax"
    assert (mathjax / "tex-chtml-full.js").is_file()
    assert "Apache License" in (mathjax / "LICENSE").read_text(encoding="utf-8")
    assert list((mathjax / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff")), "MathJax fonts missing"
    for page in pages:
        text = page.read_text(encoding="utf-8")
        if 'class="math' in text:
            assert "_static/mathjax/tex-chtml-full.js" in text, (
                f"{page.name} does not load the vendored MathJax"
            )
            assert "cdn.jsdelivr" not in text


def test_every_chapter_offers_its_notebook_and_launch_buttons(html, pages):
    chapters = [
        p
        for p in pages
        if (html / "_sources" / p.relative_to(html)).with_suffix(".ipynb").is_file()
        or p.relative_to(html).parts[0] == "exercises"
    ]
    assert chapters, "no page with code cells"
    for page in chapters:
        relative = page.relative_to(html).with_suffix("")
        text = page.read_text(encoding="utf-8")
        assert f"_sources/{relative.as_posix()}.ipynb" in text, f"{relative}: no .ipynb download"
        assert f"https://mybinder.org/v2/gh/{REPOSITORY}/" in text, f"{relative}: no Binder button"
        assert f"https://colab.research.google.com/github/{REPOSITORY}/blob/" in text, (
            f"{relative}: no Colab button"
        )
        for url in re.findall(r'href="(https://(?:mybinder\.org|colab\.research\.google\.com)/[^"]+)"', text):
            assert "/./" not in url and url.endswith(f"{relative.as_posix()}{_source_suffix(relative)}"), url


def _source_suffix(relative: Path) -> str:
    return ".ipynb" if (ROOT / relative).with_suffix(".ipynb").is_file() else ".md"


def test_released_exercises_appear_unexecuted(html):
    released = sorted((ROOT / "exercises").glob("*/*.ipynb"))
    assert released, "no released exercise notebooks"
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    for notebook in released:
        relative = notebook.relative_to(ROOT).with_suffix("")
        if relative.as_posix() not in toc:
            continue  # a new assignment not yet in the book: reported by the toc test below
        page = html / relative.with_suffix(".html")
        text = page.read_text(encoding="utf-8")
        assert "NotImplementedError" in text, f"{relative}: the answer cells are missing"
        assert 'class="output' not in text and "cell_output" not in text, f"{relative} was executed"


def test_every_released_exercise_is_in_the_toc():
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    missing = [
        p.relative_to(ROOT).with_suffix("").as_posix()
        for p in (ROOT / "exercises").glob("*/*.ipynb")
        if p.relative_to(ROOT).with_suffix("").as_posix() not in toc
    ]
    assert not missing, f"add to _toc.yml under book/exercises/index: {missing}"


def test_glossary_gives_the_korean_term_beside_each_english_one(html):
    text = (html / "book" / "notation.html").read_text(encoding="utf-8")
    glossary = text[text.index('<section id="glossary') :]
    rows = re.findall(r"<tr[^>]*>\s*<td[^>]*>(.*?)</td>\s*<td[^>]*>(.*?)</td>", glossary, re.S)
    assert len(rows) >= 10, "the glossary should cover the key terms"
    for english, korean in rows:
        assert not HANGUL.search(english) and HANGUL.search(korean), (english, korean)


def test_bibliography_lists_the_primary_papers_and_the_seeds(html):
    text = re.sub(r"<[^>]+>", "", (html / "book" / "bibliography.html").read_text(encoding="utf-8"))
    for author, year in [("Elman", 1990), ("Hochreiter", 1997), ("Cho", 2014), ("Vaswani", 2017)]:
        assert re.search(rf"{author}.*?{year}", text, re.S), f"{author} {year} missing"
    assert text.count("(seed 00") == 5, "each of the five seeds should be listed"
