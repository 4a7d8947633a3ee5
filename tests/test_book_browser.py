"""The built book as a reader sees it, offline, in headless Chromium.

The site is served from ``_build/html`` on localhost; every request to any other host is
blocked and recorded. Every page must load with no console error or failed request, every
equation must be typeset by the vendored MathJax (no raw TeX, no MathJax error), every image
must load; the search page must find a term; the next/previous links must walk the whole book;
a chapter's and an exercise's launch menu must show JupyterHub, Binder and Colab, and their
download menu a notebook the site serves. Screenshots at desktop and phone widths and in dark
mode land in ``_build/screenshots/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from book_site import CHROMIUM, CHROMIUM_ARGS, ROOT, built_book, content_pages, root_page, serve

from course_tools.build.colab import chapters

pytestmark = [
    pytest.mark.book,
    pytest.mark.slow,
    pytest.mark.xdist_group("book"),
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"needs Debian's chromium at {CHROMIUM} (apt-get install chromium)"
    ),
]

PAGE_TIMEOUT_MS = 20_000  # a page with many equations typesets in well under a second
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SEARCH_TERM = "recurrent"  # the course's subject: on the root page whatever else changes
# TeX left in prose that MathJax should have typeset: a backslash command between $ or \( \).
RAW_TEX = re.compile(r"(\$[^$\n]*\\[A-Za-z]+[^$\n]*\$)|(\\\(.+?\\\))|(\\\[.+?\\\])", re.S)

# Runs in the page: waits for MathJax, then reports what a reader would see as broken.
PAGE_REPORT_JS = """
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const maths = [...document.querySelectorAll('.math')];
  const untypeset = maths.filter(m => !m.querySelector('mjx-container')).map(m => m.textContent.slice(0, 80));
  const errors = [...document.querySelectorAll('mjx-merror, mjx-container [data-mjx-error]')]
      .map(e => e.getAttribute('data-mjx-error') || e.textContent);
  const images = [...document.images].map(img => ({src: img.currentSrc || img.src,
      ok: img.complete && img.naturalWidth > 0}));
  const prose = [...document.querySelectorAll(
        'article p, article li, article td, article th, article h1, article h2, article h3')]
      .filter(e => !e.closest('pre, code, .highlight, .output, .cell_output'))
      .map(e => {
        const clone = e.cloneNode(true);
        clone.querySelectorAll('mjx-container, code, .math').forEach(x => x.remove());
        return clone.textContent;
      }).join('\\n');
  return {mathjax: !!window.MathJax, maths: maths.length, untypeset, errors, images, prose};
}
"""


@pytest.fixture(scope="module")
def site() -> Iterator[tuple[Path, str]]:
    build = built_book()
    if build.returncode not in (None, 0):
        pytest.fail(f"the book did not build:\n{build.log[-4000:]}")
    with serve(build.html) as base:
        yield build.html, base


@pytest.fixture(scope="module")
def browser_context(site):
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (pip install playwright)")
    html, base = site
    blocked: list[str] = []

    def route(route_, request) -> None:
        host = urlsplit(request.url).hostname
        if request.url.startswith(("data:", "blob:", "about:")) or host in ("127.0.0.1", "localhost"):
            route_.continue_()
        else:
            blocked.append(request.url)
            route_.abort()

    with sync_api.sync_playwright() as p:
        # launch() starts Chromium with a fresh temporary --user-data-dir of its own
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        contexts = {
            "scripts": browser.new_context(viewport=DESKTOP),
            # the next/previous links are plain HTML: walk them without running any script
            "static": browser.new_context(viewport=DESKTOP, java_script_enabled=False),
        }
        for context in contexts.values():
            context.set_default_timeout(PAGE_TIMEOUT_MS)
            context.route("**/*", route)
        try:
            yield contexts, blocked
        finally:
            browser.close()


def _request_failed(problems: list[str], request) -> None:
    # ERR_ABORTED: the tab navigated or closed while a font was still loading, not a fault
    if "ERR_ABORTED" not in (request.failure or ""):
        problems.append(f"request failed: {request.url} ({request.failure})")


def _open(context, url: str):
    """Open ``url`` in a new tab, recording console errors, page errors and failed requests."""
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: _request_failed(problems, r))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.goto(url, wait_until="load")
    return page, problems


def test_every_page_loads_typesets_its_math_and_shows_its_images(site, browser_context):
    html, base = site
    contexts, blocked = browser_context
    context = contexts["scripts"]
    pages = content_pages(html)
    assert pages, f"no pages in {html}"
    failures = {}
    typeset = 0
    for path in pages:
        relative = path.relative_to(html).as_posix()
        page, problems = _open(context, base + relative)
        report = page.evaluate(PAGE_REPORT_JS)
        page.close()
        if report["maths"] and not report["mathjax"]:
            problems.append("MathJax did not load")
        problems += [f"equation not typeset: {text!r}" for text in report["untypeset"]]
        problems += [f"MathJax error: {text!r}" for text in report["errors"]]
        problems += [f"image did not load: {img['src']}" for img in report["images"] if not img["ok"]]
        problems += [f"raw TeX in the text: {m.group(0)[:80]!r}" for m in RAW_TEX.finditer(report["prose"])]
        typeset += report["maths"] - len(report["untypeset"])
        if problems:
            failures[relative] = problems
    assert not failures, "pages a reader would see broken:\n" + "\n".join(
        f"{name}:\n  " + "\n  ".join(problems[:10]) for name, problems in failures.items()
    )
    assert typeset > 0, "no equation anywhere in the book was typeset"
    assert not blocked, f"requests left localhost: {sorted(set(blocked))[:10]}"


def test_search_page_finds_a_term(site, browser_context):
    html, base = site
    context = browser_context[0]["scripts"]
    page, problems = _open(context, f"{base}search.html?q={SEARCH_TERM}")
    page.wait_for_selector("#search-results ul.search li", timeout=PAGE_TIMEOUT_MS)
    hits = page.locator("#search-results ul.search li a").evaluate_all("as => as.map(a => a.href)")
    page.close()
    assert hits, f"searching for {SEARCH_TERM!r} found nothing"
    assert all(urlsplit(hit).hostname == "127.0.0.1" for hit in hits)
    assert not problems, problems


def test_next_and_previous_links_walk_the_whole_book(site, browser_context):
    html, base = site
    context = browser_context[0]["static"]
    page, problems = _open(context, base)  # index.html redirects to the root page
    root = base + root_page(html).relative_to(html).as_posix()
    page.wait_for_url(root)
    forward = [page.url]
    while (link := page.locator("a.right-next")).count():
        page.goto(urljoin(page.url, link.first.get_attribute("href")), wait_until="domcontentloaded")
        assert page.url not in forward, f"next links loop back to {page.url}"
        forward.append(page.url)
    backward = [page.url]
    while (link := page.locator("a.left-prev")).count():
        page.goto(urljoin(page.url, link.first.get_attribute("href")), wait_until="domcontentloaded")
        backward.append(page.url)
        assert len(backward) <= len(forward), "previous links go further than next links came"
    page.close()
    problems = [p for p in problems if not p.endswith("(csp)")]  # scripts are off here
    assert backward == forward[::-1], "previous links do not retrace the next links"
    in_toc = {base + p.relative_to(html).as_posix() for p in content_pages(html)}
    missing = in_toc - set(forward)
    assert not missing, f"pages the next links never reach: {sorted(missing)}"
    assert not problems, problems


def _notebook_pages() -> list[str]:
    """A chapter (MyST Markdown) and an exercise (.ipynb), as paths of the built site."""
    exercise = sorted((ROOT / "exercises").glob("*/*.ipynb"))[0]
    return [p.relative_to(ROOT).with_suffix(".html").as_posix() for p in (chapters(ROOT)[0], exercise)]


@pytest.mark.parametrize("relative", _notebook_pages())
def test_launch_menu_offers_three_services_and_the_notebook_downloads(site, browser_context, relative):
    html, base = site
    context = browser_context[0]["scripts"]
    page, problems = _open(context, base + relative)
    page.click(".dropdown-launch-buttons > button")
    links = page.locator(".dropdown-launch-buttons .dropdown-menu a")
    links.first.wait_for(state="visible")
    shown = {
        links.nth(i).inner_text().strip(): links.nth(i).get_attribute("href")
        for i in range(links.count())
        if links.nth(i).is_visible()
    }
    assert set(shown) == {"JupyterHub", "Binder", "Colab"}, shown
    assert shown["Colab"].endswith(".ipynb"), f"Colab opens only notebooks: {shown['Colab']}"
    page.click(".dropdown-download-buttons > button")
    download = page.locator(".dropdown-download-buttons .dropdown-menu a[href$='.ipynb']").first
    download.wait_for(state="visible")
    response = page.request.get(urljoin(page.url, download.get_attribute("href")))
    page.close()
    assert response.ok and response.json()["cells"], f"{relative}: the .ipynb download is not a notebook"
    assert not problems, problems


@pytest.mark.parametrize(
    "name, viewport, scheme",
    [
        ("desktop", DESKTOP, "light"),
        ("phone", PHONE, "light"),
        ("desktop-dark", DESKTOP, "dark"),
        ("phone-dark", PHONE, "dark"),
    ],
)
def test_screenshots_fit_the_screen(site, browser_context, name, viewport, scheme):
    """Screenshots of the root page and the pages with most equations and images.

    At every width the page must not scroll sideways (wide equations and tables scroll inside
    their own box), and dark mode must actually be dark.
    """
    html, base = site
    context = browser_context[0]["scripts"]
    out = html.parent / "screenshots"
    out.mkdir(exist_ok=True)
    pages = content_pages(html)
    by_richness = sorted(
        pages, key=lambda p: -(p.read_text().count('class="math') + 5 * p.read_text().count("<img"))
    )
    chosen = list(dict.fromkeys([root_page(html), by_richness[0]]))
    for path in chosen:
        relative = path.relative_to(html).as_posix()
        page = context.new_page()
        page.set_viewport_size(viewport)
        page.emulate_media(color_scheme=scheme)
        page.goto(base + relative, wait_until="load")
        page.evaluate(PAGE_REPORT_JS)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        theme = page.evaluate("document.documentElement.dataset.theme")
        page.screenshot(path=str(out / f"{relative.replace('/', '_')[:-5]}-{name}.png"))
        page.close()
        assert overflow <= 1, f"{relative} scrolls sideways by {overflow}px at {viewport['width']}px"
        assert theme == scheme, f"{relative}: theme {theme!r}, expected {scheme!r}"


# ---------------------------------------------------------------------------- phones, solutions, diagrams

CHAPTER_WITH_DIAGRAMS = "book/04_lstm_gru.html"  # two diagrams and six closed solution blocks
SIDEBARS = {
    "primary": ("pst-primary-sidebar-modal", "nav.bd-docs-nav a.reference"),
    "secondary": ("pst-secondary-sidebar-modal", "nav.page-toc a, .bd-toc-nav a"),
}


def _visible(page, selector: str):
    """The one visible element among those ``selector`` matches (a theme may render several)."""
    matches = page.locator(selector)
    shown = [matches.nth(i) for i in range(matches.count()) if matches.nth(i).is_visible()]
    assert len(shown) == 1, f"{len(shown)} visible elements match {selector!r}"
    return shown[0]


@pytest.mark.parametrize("width", [400, 900])
def test_phone_and_tablet_open_both_sidebars(site, browser_context, width):
    """At phone and tablet widths the sidebars are behind two buttons. pydata-sphinx-theme 0.17
    bound only the first of two `.primary-toggle` buttons (the hidden one), so the visible
    buttons did nothing; book/_static/sidebar-toggles.js forwards their clicks."""
    html, base = site
    context = browser_context[0]["scripts"]
    page, problems = _open(context, base + CHAPTER_WITH_DIAGRAMS)
    page.set_viewport_size({"width": width, "height": 800})
    for side, (dialog_id, links) in SIDEBARS.items():
        dialog = page.locator(f"#{dialog_id}")
        assert not dialog.evaluate("d => d.open"), f"{side} sidebar open before any click"
        _visible(page, f".{side}-toggle").click()
        page.wait_for_function(f"document.getElementById('{dialog_id}').open", timeout=PAGE_TIMEOUT_MS)
        shown = dialog.locator(links)
        assert shown.count() > 1 and shown.first.is_visible(), f"{side} sidebar at {width}px shows no links"
        page.keyboard.press("Escape")
        page.wait_for_function(f"!document.getElementById('{dialog_id}').open", timeout=PAGE_TIMEOUT_MS)
    page.close()
    assert not problems, problems


def test_solution_blocks_are_closed_until_clicked(site, browser_context):
    html, base = site
    context = browser_context[0]["scripts"]
    page, problems = _open(context, base + CHAPTER_WITH_DIAGRAMS)
    solutions = page.locator("div.solution")
    assert solutions.count() >= 6, "chapter 4 should end with its six solution blocks"
    for i in range(solutions.count()):
        block = solutions.nth(i)
        code = block.locator("pre").first
        block.scroll_into_view_if_needed()
        assert block.locator(".admonition-title").is_visible(), "a solution block's title should show"
        assert not code.is_visible(), f"solution block {i} is open before any click"
        block.locator("button.toggle-button").click()  # (the title's link goes to the exercise)
        code.wait_for(state="visible", timeout=PAGE_TIMEOUT_MS)
        assert "def " in code.inner_text(), f"solution block {i} opened on something other than code"
    answers = page.locator("div.admonition.dropdown:not(.solution)")
    assert answers.count() >= 7, "chapter 4's check-yourself answers should be closed blocks"
    first = answers.first
    first.scroll_into_view_if_needed()
    assert not first.locator("p").nth(1).is_visible()
    first.locator("button.toggle-button").click()
    first.locator("p").nth(1).wait_for(state="visible", timeout=PAGE_TIMEOUT_MS)
    page.close()
    assert not problems, problems


# Runs in the page: every diagram's SVG, its size, and what a reader sees at its corner.
DIAGRAMS_JS = """
async () => {
  const objects = [...document.querySelectorAll('object.diagram')];
  await Promise.all(objects.map(o => o.contentDocument && o.contentDocument.readyState === 'complete'
      ? null : new Promise(done => {
        o.addEventListener('load', done, {once: true});
        setTimeout(done, 5000);
      })));
  return objects.map(o => {
    const svg = o.contentDocument && o.contentDocument.querySelector('svg');
    const box = o.getBoundingClientRect();
    const svgBox = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
    return {src: o.data, width: box.width, height: box.height, svgWidth: svgBox.width,
            svgHeight: svgBox.height, texts: svg ? svg.querySelectorAll('text').length : 0,
            filter: getComputedStyle(o).filter, column: o.closest('article').getBoundingClientRect().width};
  });
}
"""


def _luminance(rgb) -> float:
    r, g, b = (c / 255 for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 390])
def test_every_diagram_renders_and_reads_in_light_and_dark_mode(site, browser_context, scheme, width):
    """Each diagram's SVG loads with a non-zero size and its labels, fits the column (it shrinks
    on a phone), and sits on the page's own background: in dark mode it is inverted (light lines
    on the dark page) with no white box behind it."""
    from io import BytesIO

    from PIL import Image

    html, base = site
    context = browser_context[0]["scripts"]
    pages = [p for p in content_pages(html) if 'class="graphviz diagram"' in p.read_text(encoding="utf-8")]
    assert len(pages) >= 3, f"diagrams expected in chapters 2, 3 and 4, found on {len(pages)} pages"
    seen = 0
    for path in pages:
        relative = path.relative_to(html).as_posix()
        page = context.new_page()
        page.set_viewport_size({"width": width, "height": 900})
        page.emulate_media(color_scheme=scheme)
        page.goto(base + relative, wait_until="load")
        diagrams = page.evaluate(DIAGRAMS_JS)
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        page_luminance = _luminance([int(v) for v in re.findall(r"\d+", background)[:3]])
        for i, diagram in enumerate(diagrams):
            name = f"{relative} diagram {i + 1} ({scheme}, {width}px)"
            assert diagram["svgWidth"] > 0 and diagram["svgHeight"] > 0 and diagram["texts"] > 0, name
            assert 0 < diagram["width"] <= diagram["column"] + 1, f"{name}: wider than its column"
            inverted = "invert" in diagram["filter"]
            assert inverted == (scheme == "dark"), f"{name}: filter {diagram['filter']}"
            shot = page.locator("object.diagram").nth(i)
            shot.scroll_into_view_if_needed()
            image = Image.open(BytesIO(shot.screenshot())).convert("RGB")
            corner = _luminance(image.getpixel((2, 2)))
            assert abs(corner - page_luminance) < 0.1, f"{name}: its background is not the page's"
            seen += 1
        page.close()
    assert seen >= 4, f"only {seen} diagrams rendered"


def test_no_code_block_scrolls_sideways_at_desktop_width(site, browser_context):
    """At 1280 px no listing, code cell or output needs a horizontal scroll bar (long lines
    wrap, book/_static/course.css)."""
    html, base = site
    context = browser_context[0]["scripts"]
    wide = {}
    for path in content_pages(html):
        relative = path.relative_to(html).as_posix()
        page = context.new_page()
        page.set_viewport_size(DESKTOP)
        page.goto(base + relative, wait_until="load")
        found = page.evaluate(
            "() => [...document.querySelectorAll('pre')]"
            ".filter(p => p.offsetParent !== null && p.scrollWidth > p.clientWidth + 1)"
            ".map(p => [p.scrollWidth - p.clientWidth, p.textContent.split('\\n')[0].slice(0, 60)])"
        )
        page.close()
        if found:
            wide[relative] = found[:3]
    assert not wide, f"code that scrolls sideways at {DESKTOP['width']}px: {wide}"


KOREAN_TERM = "기울기"  # gradient: chapter 3 and on, written with and without particles


def test_korean_edition_switches_language_both_ways_and_searches_in_korean(site, browser_context):
    """한국어판: a Korean chapter opens in Korean, its switch leads to the same chapter in English
    and back, and the Korean search finds a Korean term."""
    html, base = site
    context = browser_context[0]["scripts"]
    chapter = "book/03_bptt.html"
    page, problems = _open(context, f"{base}ko/{chapter}")
    assert page.evaluate("document.documentElement.lang") == "ko"
    assert re.search(r"[\uac00-\ud7a3]", page.locator("article h1").first.inner_text())
    switch = page.locator("a.course-language[hreflang=en]").bounding_box()
    buttons = page.locator(".article-header-buttons").first.bounding_box()
    middle = switch["y"] + switch["height"] / 2
    assert buttons["y"] <= middle <= buttons["y"] + buttons["height"], "the switch is not in the buttons' row"
    page.locator("a.course-language[hreflang=en]").click()
    page.wait_for_url(f"{base}{chapter}")
    assert page.evaluate("document.documentElement.lang") == "en"
    page.locator("a.course-language[hreflang=ko]").click()
    page.wait_for_url(f"{base}ko/{chapter}")
    page.goto(f"{base}ko/search.html?q={KOREAN_TERM}", wait_until="load")
    page.wait_for_selector("#search-results ul.search li", timeout=PAGE_TIMEOUT_MS)
    hits = page.locator("#search-results ul.search li a").evaluate_all("as => as.map(a => a.href)")
    page.close()
    assert any(hit.startswith(f"{base}ko/{chapter}") for hit in hits), hits
    assert all(hit.startswith(f"{base}ko/") for hit in hits), "Korean search leads out of the Korean edition"
    assert not problems, problems
