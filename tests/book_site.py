"""The built HTML book for the book tests: built once per test process, or taken as given.

``COURSE_BOOK_HTML=/path/to/_build/html`` points the tests at a book built elsewhere (for
example by ``make book``); otherwise :func:`built_book` builds the repository's book exactly
as ``make book`` does — the ``course_tools.build.book_cache`` pre-step, ``jupyter-book build``
with warnings as errors, then the Korean edition into ``html/ko/`` — into ``_build/``, sharing
``make book``'s execution cache, so an unchanged book rebuilds in seconds. The build and browser tests share one ``xdist_group``,
and a file lock makes a second test process wait for the first build, then reuse its cache.
:func:`cohort_book` does the same for the cohort edition (``make book EDITION=cohort``, into
``_build/cohort/``; ``COURSE_COHORT_HTML`` names one built elsewhere), after the reader
edition, so that it finds every page's execution in the shared cache.
"""

from __future__ import annotations

import fcntl
import functools
import http.server
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ("ko",)  # the translated editions, each in html/<language>/ (course_tools.build.translations)
BIN = Path(sys.executable).parent
BUILD_TIMEOUT_S = 30 * 60  # a fresh build of the whole book takes ~12 minutes on 2 cores
CHROMIUM = Path("/usr/bin/chromium")
# Debian's chromium with no network: no sandbox (containers), and no background services
# that would flood the log with refused connections.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass(frozen=True)
class Build:
    """A built book: its HTML folder, and the build's exit code and log (None if given)."""

    html: Path
    returncode: int | None
    log: str


@functools.cache
def built_book() -> Build:
    """Build the book once per process (or take ``COURSE_BOOK_HTML``) and return it."""
    given = os.environ.get("COURSE_BOOK_HTML")
    if given:
        return Build(Path(given).resolve(), None, "")
    return _build("reader", [])


COHORT_OUTPUT = ROOT / "_build" / "cohort"  # make book EDITION=cohort's --path-output


@functools.cache
def cohort_book() -> Build:
    """Build the cohort edition once per process (or take ``COURSE_COHORT_HTML``), after the
    reader edition, and return it."""
    given = os.environ.get("COURSE_COHORT_HTML")
    if given:
        return Build(Path(given).resolve(), None, "")
    built_book()
    build = _build("cohort", ["--path-output", str(COHORT_OUTPUT)])
    return Build(COHORT_OUTPUT / "_build" / "html", build.returncode, build.log)


def _build(edition: str, options: list[str]) -> Build:
    """``make book EDITION=edition``: the book_cache pre-step, then jupyter-book with ``options``."""
    # PYTHONPATH: the kernel imports this checkout's course_lib
    env = dict(os.environ, PYTHONPATH=str(ROOT), COURSE_EDITION=edition)
    mirror = ROOT.parent / "shared" / "data"  # as CI and the Makefile set it
    if "COURSE_DATA_MIRROR" not in env and mirror.is_dir():
        env["COURSE_DATA_MIRROR"] = str(mirror)
    steps = [
        [sys.executable, "-m", "course_tools.build.book_cache", "--root", str(ROOT)],
        [str(BIN / "jupyter-book"), "build", str(ROOT), *options,
         "--warningiserror", "--nitpick", "--keep-going"],
        # the translated editions into html/<language>/, from the same execution cache
        [str(BIN / "course"), "translations", "build", *options],
    ]
    log = []
    (ROOT / "_build").mkdir(exist_ok=True)
    # One build at a time, whichever test process asks first: a second process waits, then
    # rebuilds from the shared execution cache in seconds.
    with open(ROOT / "_build" / ".book-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for step in steps:
            done = subprocess.run(
                step, cwd=ROOT, env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S
            )
            log.append(done.stdout + done.stderr)
            if done.returncode != 0:
                break
    return Build(ROOT / "_build" / "html", done.returncode, "\n".join(log))


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (stdlib's name)
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on an unused localhost port; yields the base URL (ending in /)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def content_pages(html: Path) -> list[Path]:
    """Every page of one edition of the book proper: the HTML files outside ``_static``,
    ``_sources`` etc. and outside the translated editions (``html/ko/``: ``content_pages(html / "ko")``)."""
    skip = {"_static", "_sources", "_images", "reports", "_downloads", *TRANSLATIONS}
    pages = []
    for page in sorted(html.rglob("*.html")):
        relative = page.relative_to(html)
        if relative.parts[0] in skip or relative.name in ("genindex.html", "search.html"):
            continue
        if relative.as_posix() == "index.html" and 'http-equiv="Refresh"' in page.read_text():
            continue  # jupyter-book's redirect to the root page
        pages.append(page)
    return pages


def root_page(html: Path) -> Path:
    """The book's first page (``index.html`` is a redirect to it)."""
    index = (html / "index.html").read_text(encoding="utf-8")
    target = re.search(r'url=([^"]+)"', index)
    return html / target.group(1) if target else html / "index.html"
