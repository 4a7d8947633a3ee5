"""Every page links to itself in the book's other languages (a Sphinx extension).

The English edition sits at the site's root and each translation in a folder named by its
language code beside it (``_build/html/ko/``, :mod:`course_tools.build.translations`), with the
same page names. So the counterpart of ``book/02_recurrent_cell`` is ``ko/book/02_recurrent_cell.html``
from English and ``../book/02_recurrent_cell.html`` from Korean, whatever the folder depth. Each
page gets a button per other language in its header (beside the theme's buttons) and a
``<link rel="alternate" hreflang=...>`` for search engines.

Listed in ``_config.yml``'s extensions; every edition uses it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

LANGUAGES = {"en": "English", "ko": "한국어"}  # code -> the language's name in itself
SOURCE = "en"  # the language of the sources, built at the site's root
TEMPLATE = "language-switch.html"  # course_tools/build/templates/
TITLES = {"en": "Read this page in English", "ko": "이 페이지를 한국어로 읽기"}
SWITCH_LABEL = {"en": "Languages", "ko": "언어"}


def language_of(config: Any) -> str:
    """The language a build makes (Sphinx's ``language``; English when unset)."""
    return (config.language or SOURCE).split("_")[0]


def counterpart(pagename: str, here: str, there: str) -> str:
    """The relative URL of ``pagename`` in language ``there``, from that page in ``here``.

    >>> counterpart("book/02_recurrent_cell", "en", "ko")
    '../ko/book/02_recurrent_cell.html'
    >>> counterpart("book/02_recurrent_cell", "ko", "en")
    '../../book/02_recurrent_cell.html'
    >>> counterpart("book/intro", "ko", "en"), counterpart("search", "en", "ko")
    ('../../book/intro.html', 'ko/search.html')
    """
    to_root = "../" * pagename.count("/")  # from this page to its edition's root
    if here != SOURCE:
        to_root += "../"  # from the translation's folder to the site's root
    prefix = "" if there == SOURCE else f"{there}/"
    return f"{to_root}{prefix}{pagename}.html"


def _configure(app: Any, config: Any) -> None:
    """Put the switch in the theme's article header, before the theme's own buttons."""
    config.templates_path = [*config.templates_path, str(Path(__file__).parent / "templates")]
    options = dict(config.html_theme_options or {})
    end = options.get("article_header_end", ["article-header-buttons.html"])
    end = [end] if isinstance(end, str) else list(end)
    if TEMPLATE not in end:
        options["article_header_end"] = [TEMPLATE, *end]
    config.html_theme_options = options


def _page_context(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    here = language_of(app.config)
    others = [code for code in LANGUAGES if code != here]
    context["course_switch_label"] = SWITCH_LABEL.get(here, SWITCH_LABEL[SOURCE])
    context["course_translations"] = [
        {"code": code, "name": LANGUAGES[code], "title": TITLES[code],
         "url": counterpart(pagename, here, code)}
        for code in others
    ]
    alternates = "".join(
        f'<link rel="alternate" hreflang="{t["code"]}" href="{t["url"]}" />\n'
        for t in context["course_translations"]
    )
    context["metatags"] = context.get("metatags", "") + alternates


def setup(app: Any) -> dict[str, Any]:
    app.connect("config-inited", _configure)
    app.connect("html-page-context", _page_context)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
