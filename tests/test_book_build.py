"""The book builds with every warning an error, and its HTML works offline.

Static checks on the built site (the browser checks are in test_book_browser.py): nothing on
any page loads a script, stylesheet, font, image or frame from outside the site; math goes to
the vendored MathJax, whose licence ships with it; every chapter and exercise offers its
notebook and JupyterHub, Binder and Colab links to its file in this repository; released
exercises appear unexecuted; the notation page has its glossary in English and Korean; the
bibliography lists the primary papers; files in hidden folders never become pages.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from book_site import ROOT, built_book, content_pages

from course_tools.build.book_cache import toc_pages
from course_tools.build.colab import is_notebook_page, twin_of

pytestmark = [pytest.mark.book, pytest.mark.slow, pytest.mark.xdist_group("book")]

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
REPOSITORY_URL = CONFIG["repository"]["url"]
REPOSITORY = REPOSITORY_URL.removeprefix("https://github.com/").strip("/")
BRANCH = CONFIG["repository"]["branch"]
LAUNCH = CONFIG["launch_buttons"]
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


class _Buttons(HTMLParser):
    """The header's links: launch buttons by name ("Binder", ...) and .ipynb downloads (a
    chapter's executed notebook; an exercise's own file)."""

    def __init__(self) -> None:
        super().__init__()
        self.launch: dict[str, str] = {}
        self.download: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag != "a":
            return
        if values.get("title", "").startswith("Launch on "):
            self.launch[values["title"].removeprefix("Launch on ")] = values["href"]
        download = any(c.startswith("btn-download-") for c in values.get("class", "").split())
        if download and values.get("href", "").endswith(".ipynb"):
            self.download.append(values["href"])


def _notebook_pages() -> list[Path]:
    """The toc's notebooks, as source files: exercises (.ipynb) and chapters (.md with a kernel)."""
    pages = [p for p in toc_pages(ROOT) if p.suffix == ".ipynb" or is_notebook_page(p)]
    assert any(p.suffix == ".md" for p in pages) and any(p.suffix == ".ipynb" for p in pages), pages
    return pages


def _query(url: str) -> dict[str, str]:
    query = parse_qs(urlsplit(url).query, keep_blank_values=True)
    assert all(len(values) == 1 for values in query.values()), url
    return {key: values[0] for key, values in query.items()}


@pytest.mark.parametrize("source", _notebook_pages(), ids=lambda p: p.stem)
def test_every_notebook_page_offers_its_notebook_and_three_launch_links(html, source):
    """JupyterHub, Binder and Colab links open this page's file in this repository and branch."""
    path = source.relative_to(ROOT).as_posix()  # e.g. book/03_bptt.md
    page = html / Path(path).with_suffix(".html")
    buttons = _Buttons()
    buttons.feed(page.read_text(encoding="utf-8"))

    assert len(buttons.download) == 1, f"{path}: no .ipynb download"
    notebook = json.loads((page.parent / buttons.download[0]).read_text(encoding="utf-8"))
    assert notebook["cells"], f"{path}: the downloaded notebook is empty"

    assert set(buttons.launch) == {"JupyterHub", "Binder", "Colab"}, f"{path}: {buttons.launch}"
    # JupyterHub: nbgitpuller clones the repository into a folder named after its last path
    # component, then opens urlpath, which must name that folder and then the page's file.
    hub = buttons.launch["JupyterHub"]
    assert hub.startswith(LAUNCH["jupyterhub_url"].rstrip("/") + "/hub/user-redirect/git-pull?"), hub
    clone = REPOSITORY_URL.rstrip("/").rsplit("/", 1)[-1]
    assert _query(hub) == {"repo": REPOSITORY_URL, "branch": BRANCH, "urlpath": f"lab/tree/{clone}/{path}"}
    # Binder: builds the repository at the branch, then opens the page's file in JupyterLab.
    binder = buttons.launch["Binder"]
    assert binder == f"{LAUNCH['binderhub_url']}/v2/gh/{REPOSITORY}/{BRANCH}?urlpath=lab/tree/{path}"
    # Colab opens only .ipynb files: an exercise itself, a chapter's twin in book/colab/.
    colab = buttons.launch["Colab"]
    prefix = f"{LAUNCH['colab_url']}/github/{REPOSITORY}/blob/{BRANCH}/"
    assert colab.startswith(prefix), colab
    opened = colab.removeprefix(prefix)
    expected = path if source.suffix == ".ipynb" else twin_of(source).relative_to(ROOT).as_posix()
    assert opened == expected and opened.endswith(".ipynb"), colab
    assert (ROOT / opened).is_file(), f"{path}: Colab would open {opened}, which is not in the repository"


def test_no_page_comes_from_a_hidden_folder_or_the_colab_notebooks(html):
    """The search index lists every page of this build (unlike stale files left in _build/)."""
    index = (html / "searchindex.js").read_text(encoding="utf-8")
    docnames = json.loads(re.search(r'"docnames":\s*(\[.*?\])', index).group(1))
    assert docnames and "book/intro" in docnames
    bad = [d for d in docnames if any(part.startswith(".") for part in d.split("/")) or "/colab/" in d]
    assert not bad, f"pages that are not part of the book: {bad}"


def test_exclude_patterns_keep_hidden_folders_out_of_the_book(tmp_path):
    """pytest writes .pytest_cache/README.md; the toc does not see hidden folders, so unless
    _config.yml excludes them Sphinx reads it as a page, and the next build fails with "document
    isn't included in any toctree" (once: the build after that has it already)."""
    from sphinx.util.matching import get_matching_files

    for name in [".pytest_cache/README.md", ".hypothesis/notes.md", "book/.ipynb_checkpoints/a.ipynb",
                 "book/.draft.md", "book/colab/03_bptt.ipynb", "book/intro.md", "exercises/a1/nb.ipynb"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("# x\n", encoding="utf-8")
    found = sorted(get_matching_files(tmp_path, ["**"], CONFIG["exclude_patterns"]))
    assert found == ["book/intro.md", "exercises/a1/nb.ipynb"]


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


# Build-machine chatter: how a page was built is not something a reader needs. Timings, where
# a chapter gives them, are conditional ("on a laptop, about a minute"), not this machine's.
CHATTER = re.compile(r"COURSE_DATA_MIRROR|cores shared|shared machine|(?:page|chapter) ran in", re.I)


def test_no_page_tells_the_reader_about_the_build_machine(html, pages):
    found = {}
    for page in pages:
        text = re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8"))
        hits = sorted({m.group(0) for m in CHATTER.finditer(text)})
        if hits:
            found[page.relative_to(html).as_posix()] = hits
    assert not found, f"build-machine chatter on pages: {found}"


def test_every_reference_but_the_seed_posts_links_to_its_source(html):
    """Papers, datasets and courses link to a DOI, arXiv or a web page (the seed posts'
    addresses are not in the course's records)."""
    text = (html / "book" / "bibliography.html").read_text(encoding="utf-8")
    seeds = text.index('id="the-seeds"')
    entries = re.findall(r'<div class="citation" id="[^"]+".*?</div>', text[:seeds], re.S)
    assert len(entries) >= 10, f"only {len(entries)} entries before the seeds"
    unlinked = [re.sub(r"<[^>]+>", "", e).split()[0:6] for e in entries if 'href="http' not in e]
    assert not unlinked, f"entries without a link: {unlinked}"


def test_the_glossary_and_the_chapters_spell_perplexity_alike():
    """퍼플렉시티, the standard transcription (the seed posts do not use the word)."""
    spellings = set()
    for page in (ROOT / "book").glob("*.md"):
        spellings |= set(re.findall("퍼플렉[가-힣]+", page.read_text(encoding="utf-8")))
    assert spellings == {"퍼플렉시티"}, spellings
