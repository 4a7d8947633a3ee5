"""Search in the Korean edition: index words and their morphemes (a Sphinx extension).

Sphinx ships no Korean search language; without one it indexes whole words as English does.
A Korean word (어절) is a stem with particles and endings attached: ``신경망의``, ``신경망은``,
``신경망을`` are three index entries, none of which a search for ``신경망`` finds (Sphinx's
partial matching starts at three characters and ranks low). So each word is indexed as itself
*and* as its content morphemes — nouns, verb and adjective stems, roots, foreign words and
numbers — as Kiwi, a Korean morphological analyser, finds them (``신경망의`` → ``신경망``;
``순환신경망`` → ``순환``, ``신경망``). A reader's query is split at spaces, as on every Sphinx
site, so both the bare term and the word as written find the page.

Registered for ``language = "ko"`` only; the English edition's search is Sphinx's own.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from sphinx.search import SearchLanguage

# Kiwi's part-of-speech tags that carry meaning (Sejong tag set): general, proper and bound
# nouns, numerals, verb and adjective stems, roots, foreign words (Latin letters), Chinese
# characters and numbers. Particles (J*), endings (E*) and affixes are left out.
CONTENT_TAGS = ("NNG", "NNP", "NNB", "NR", "VV", "VA", "XR", "SL", "SH", "SN")
_WORD = re.compile(r"\w+")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


@functools.cache
def _analyser() -> Any:
    from kiwipiepy import Kiwi

    return Kiwi()


def morphemes(text: str) -> list[str]:
    """The content morphemes of ``text``, in order.

    >>> morphemes("순환 신경망의 은닉 상태는")
    ['순환', '신경망', '은닉', '상태']
    """
    return [token.form for token in _analyser().tokenize(text) if token.tag in CONTENT_TAGS]


@functools.cache
def _word_morphemes(word: str) -> tuple[str, ...]:
    return tuple(morphemes(word))


class SearchKorean(SearchLanguage):
    """Sphinx's search language ``ko``: words as written plus their content morphemes."""

    lang = "ko"
    language_name = "Korean"

    def split(self, input: str) -> list[str]:  # noqa: A002 (Sphinx's name for it)
        words = _WORD.findall(input)
        if _HANGUL.search(input):
            # in context, and each word alone: Sphinx hands over text between inline formulas
            # and code, where a fragment can mislead the analyser (기울기가 read as 기울 + 기 + 가)
            alone = [m for word in words if _HANGUL.search(word) for m in _word_morphemes(word)]
            words += morphemes(input) + alone
        return words

    def stem(self, word: str) -> str:
        return word.lower()

    def word_filter(self, word: str) -> bool:
        # one Hangul syllable is a word too (키, 값, 셀); Latin needs two letters
        return bool(word) and (len(word) > 1 or bool(_HANGUL.match(word)))


def setup(app: Any) -> dict[str, Any]:
    app.add_search_language(SearchKorean)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
