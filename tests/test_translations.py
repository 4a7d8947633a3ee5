"""The Korean edition (한국어판): catalogs complete and current, the build, the switch, the search.

The catalogs are checked without a build (seconds, plus one message extraction); the built
edition comes from the same build as the English tests (``book_site.built_book``, which builds
``_build/html/ko`` after English, as ``make book`` does).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from book_site import ROOT, built_book, content_pages

from course_tools.build import translations

LANGUAGE = "ko"
CATALOGS = ROOT / translations.LOCALES / LANGUAGE / "LC_MESSAGES"
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def catalogs() -> list[Path]:
    return sorted(CATALOGS.rglob("*.po"))


def test_every_message_of_every_catalog_is_translated_and_none_is_fuzzy():
    assert catalogs(), f"no catalogs in {CATALOGS}: run `course translations update`"
    problems = []
    for po in catalogs():
        state = translations.progress(po)
        for kind, messages in (("untranslated", state.untranslated), ("fuzzy", state.fuzzy)):
            if messages:
                problems.append(f"{po.relative_to(ROOT)}: {len(messages)} {kind}, first {messages[0][:90]!r}")
    assert not problems, "\n".join(problems)


def test_translations_keep_every_role_formula_code_span_and_link():
    changed = {po.relative_to(ROOT).as_posix(): found[:3] for po in catalogs()
               if (found := translations.markup_differences(po))}
    assert not changed, json.dumps(changed, ensure_ascii=False, indent=1)


def test_the_markup_check_sees_a_changed_formula_and_a_dropped_role(tmp_path):
    po = tmp_path / "page.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "The state $h_t$ is `(N, H)`; see {doc}`notation`."\n'
        'msgstr "상태 $h_{t}$는 `(N, H)`이다. {doc}`notation`을 보라."\n\n'
        'msgid "See {doc}`notation`."\nmsgstr "표기법을 보라."\n\n'
        'msgid "Kept: $x$ and `y`."\nmsgstr "`y`와 $x$는 그대로."\n',
        encoding="utf-8",
    )
    assert translations.markup_differences(po) == [
        "The state $h_t$ is `(N, H)`; see {doc}`notation`.", "See {doc}`notation`."]


@pytest.mark.slow
def test_catalogs_hold_exactly_the_messages_of_the_sources(tmp_path):
    """A page edited without `course translations update` leaves its catalog behind: its new
    sentences would appear in English in the Korean edition without any test noticing."""
    pot_dir = translations.extract(ROOT, tmp_path)
    from babel.messages.pofile import read_po

    def ids(path: Path) -> set[str]:
        with path.open("rb") as f:
            return {str(m.id) for m in read_po(f) if m.id}

    pots = {p.relative_to(pot_dir).with_suffix("").as_posix(): p for p in pot_dir.rglob("*.pot")}
    pos = {p.relative_to(CATALOGS).with_suffix("").as_posix(): p for p in catalogs()}
    assert pots, "the extraction found no page"
    assert sorted(pots) == sorted(pos), "pages and catalogs differ: run `course translations update`"
    stale = {}
    for page, pot in pots.items():
        missing = ids(pot) - ids(pos[page])
        if missing:
            stale[page] = sorted(missing)[:3]
    assert not stale, "catalogs without the sources' newest messages (run `course translations update`):\n" \
        + json.dumps(stale, ensure_ascii=False, indent=1)


# ---------------------------------------------------------------------------- the built edition

@pytest.fixture(scope="module")
def editions() -> tuple[Path, Path]:
    build = built_book()
    assert build.returncode in (None, 0), f"the book (English or Korean) fails with -W:\n{build.log[-6000:]}"
    return build.html, build.html / LANGUAGE


def _counterpart_links(page: Path) -> list[str]:
    return re.findall(r'<a class="btn btn-sm course-language" href="([^"]+)" hreflang="(\w+)"',
                      page.read_text(encoding="utf-8"))


@pytest.mark.slow
@pytest.mark.book
@pytest.mark.xdist_group("book")
def test_every_english_page_has_a_korean_page_in_korean(editions):
    english, korean = editions
    pages = [p.relative_to(english) for p in content_pages(english)]
    assert pages and (korean / pages[0]).is_file(), f"no Korean edition at {korean}"
    missing = [p.as_posix() for p in pages if not (korean / p).is_file()]
    assert not missing, f"pages without a Korean counterpart: {missing}"
    for relative in pages:
        text = (korean / relative).read_text(encoding="utf-8")
        assert '<html lang="ko"' in text, f"ko/{relative}: not marked as Korean"
        title = re.search(r"<h1>(.*?)<", text, re.S)
        assert title and HANGUL.search(title.group(1)), f"ko/{relative}: its title is not in Korean"
        prose = re.sub(r"<(script|style|pre|div class=\"highlight)[^>]*>.*?</\1>", " ", text, flags=re.S)
        assert len(HANGUL.findall(prose)) > 100, f"ko/{relative}: hardly any Korean on the page"


@pytest.mark.slow
@pytest.mark.book
@pytest.mark.xdist_group("book")
def test_every_page_links_to_itself_in_the_other_language(editions):
    english, korean = editions
    for page in content_pages(english):
        relative = page.relative_to(english)
        ((href, lang),) = _counterpart_links(page)
        assert lang == LANGUAGE and (page.parent / href).resolve() == (korean / relative).resolve(), relative
        translated = korean / relative
        ((back, lang),) = _counterpart_links(translated)
        assert lang == "en" and translated.parent.joinpath(back).resolve() == page.resolve(), relative


@pytest.mark.slow
@pytest.mark.book
@pytest.mark.xdist_group("book")
def test_korean_search_index_holds_bare_terms_and_words_as_written(editions):
    _, korean = editions
    text = (korean / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1:text.rindex(")")])
    docs = index["docnames"]
    terms = index["terms"]

    def pages(term: str) -> set[str]:  # as searchtools.js looks: in the text or in a title
        found: set[int] = set()
        for kind in ("terms", "titleterms"):
            hits = index[kind].get(term, [])
            found |= {hits} if isinstance(hits, int) else set(hits)
        return {docs[i] for i in found}

    # glossary terms, found as bare nouns although the prose attaches particles to them
    for term, page in [("신경망", "book/02_recurrent_cell"), ("기울기", "book/03_bptt"),
                       ("어텐션", "book/08_attention"), ("디코더", "book/09_seq2seq")]:
        assert page in pages(term), f"searching {term!r} does not find {page}"
    # a verb stem never stands alone in text (시간에 따른 → 따르): only the analyser finds it
    assert "book/03_bptt" in pages("따르"), "the index holds whole words only: no morphemes"
    written = [t for t in terms if HANGUL.search(t) and re.search(r"(은|는|이|가|을|를|의)$", t)]
    assert written, "words as written (with their particles) are not indexed"
