r"""Hangul as characters: whole syllables, or jamo by Unicode decomposition.

A modern Hangul syllable such as 한 is one code point in the block U+AC00-U+D7A3, built from
two or three *jamo* (자모): a leading consonant, a vowel and an optional final consonant.
Unicode's canonical decomposition (NFD) splits every syllable into its conjoining jamo
(한 → ᄒ ᅡ ᆫ), and canonical composition (NFC) puts them back, so a character model can read
Korean at either grain:

- **syllables** (NFC): short sequences, a large vocabulary (every syllable the text uses);
- **jamo** (NFD): about twice as many steps, a vocabulary of a few dozen letters.

A syllable's code point is arithmetic on its jamo indices,

.. math:: \text{code} = \text{0xAC00} + (\text{lead} \cdot 21 + \text{vowel}) \cdot 28 + \text{tail},

with 19 leads, 21 vowels and 28 tails (index 0 meaning "no final consonant"); NFD inverts it.

Losses at the two grains compare once both are counted per *syllable-level character* (a
character of the NFC text, counting spaces and punctuation): a jamo model's total information
``nats_per_jamo * len(jamo_text)`` is spread over ``len(syllable_text)`` characters, see
:func:`bits_per_character`.

>>> len("한글"), len(to_jamo("한글"))
(2, 6)
>>> [hex(ord(ch)) for ch in to_jamo("한")]
['0x1112', '0x1161', '0x11ab']
>>> to_syllables(to_jamo("무정, 1917")) == "무정, 1917"
True
>>> round(jamo_ratio("한글 ok"), 3)
1.8
"""
from __future__ import annotations

import math
import unicodedata
from collections import Counter
from dataclasses import dataclass

SYLLABLE_FIRST, SYLLABLE_LAST = 0xAC00, 0xD7A3  # 가 .. 힣: the 11,172 precomposed syllables
LEADS, VOWELS, TAILS = 19, 21, 28  # jamo counts; TAILS includes "no final consonant"


def is_syllable(ch: str) -> bool:
    """True for one precomposed Hangul syllable (가..힣)."""
    return len(ch) == 1 and SYLLABLE_FIRST <= ord(ch) <= SYLLABLE_LAST


def to_jamo(text: str) -> str:
    """Decompose every Hangul syllable into conjoining jamo (Unicode NFD).

    Other characters pass through NFD too, which leaves ASCII, punctuation and the CJK
    ideographs (Hanja) of 무정 unchanged.
    """
    return unicodedata.normalize("NFD", text)


def to_syllables(text: str) -> str:
    """Recompose jamo into syllables (Unicode NFC), e.g. to display a jamo model's sample.

    A jamo sequence that does not spell a syllable (say a vowel with no leading consonant,
    which an undertrained model may produce) stays as loose jamo.
    """
    return unicodedata.normalize("NFC", text)


def jamo_label(ch: str) -> str:
    """A printable stand-in for one conjoining jamo: the compatibility letter (ᄀ → ㄱ).

    Conjoining jamo are meant to combine with their neighbours and many fonts draw them badly
    on their own, e.g. as tick labels; the compatibility block (U+3131-U+318E) has one
    standalone letter per jamo. Any other character is returned unchanged.

    >>> [jamo_label(ch) for ch in to_jamo("한")]
    ['ㅎ', 'ㅏ', 'ㄴ']
    """
    name = unicodedata.name(ch, "")
    for part in ("CHOSEONG ", "JUNGSEONG ", "JONGSEONG "):
        if name.startswith("HANGUL " + part):
            try:
                return unicodedata.lookup(name.replace(part, "LETTER "))
            except KeyError:  # an archaic jamo with no compatibility letter
                return ch
    return ch


def jamo_ratio(text: str) -> float:
    """Jamo-level length over syllable-level length: ``len(to_jamo(t)) / len(to_syllables(t))``.

    Between 1 (no Hangul) and 3 (every character a syllable with a final consonant).
    """
    syllables = to_syllables(text)
    if not syllables:
        raise ValueError("jamo_ratio of an empty text")
    return len(to_jamo(syllables)) / len(syllables)


def bits_per_character(nats_per_unit: float, units_per_character: float = 1.0) -> float:
    r"""Convert a loss in nats per model step into bits per syllable-level character.

    .. math:: \text{bits/char} = \frac{\text{nats/unit}}{\ln 2} \cdot \frac{\#\text{units}}{\#\text{chars}}

    Args:
        nats_per_unit: mean cross-entropy per step of the model (per jamo, or per syllable).
        units_per_character: steps per syllable-level character; :func:`jamo_ratio` of the
            evaluated text for a jamo model, 1 for a syllable model.
    """
    return nats_per_unit / math.log(2) * units_per_character


@dataclass(frozen=True)
class Granularity:
    """The sequence a character model would read at one grain.

    Attributes:
        name: ``"syllable"`` or ``"jamo"``.
        length: number of characters (model steps).
        vocab_size: number of distinct characters.
        top: the most frequent characters with their counts.
    """

    name: str
    length: int
    vocab_size: int
    top: list[tuple[str, int]]


def compare_granularities(text: str, top: int = 10) -> list[Granularity]:
    """Sequence length and vocabulary size of ``text`` as syllables and as jamo."""
    syllables = to_syllables(text)
    result = []
    for name, seq in (("syllable", syllables), ("jamo", to_jamo(syllables))):
        counts = Counter(seq)
        result.append(Granularity(name, len(seq), len(counts), counts.most_common(top)))
    return result
