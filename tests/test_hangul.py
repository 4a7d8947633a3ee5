"""course_lib.data.hangul: syllables versus jamo, checked against Unicode's own arithmetic."""
from __future__ import annotations

import math
import unicodedata

import pytest

from course_lib.data import hangul

SAMPLE = "형식은, 아뿔싸! 내가 어찌하여 이러한 생각을 하는가. 善馨 1917"


def _syllable_code(lead: int, vowel: int, tail: int) -> int:
    """Oracle: the Unicode formula for a precomposed syllable."""
    return hangul.SYLLABLE_FIRST + (lead * hangul.VOWELS + vowel) * hangul.TAILS + tail


def test_decomposition_matches_unicode_formula():
    for code in (0xAC00, 0xD55C, 0xAE00, 0xD7A3):  # 가 한 글 힣
        lead, rest = divmod(code - hangul.SYLLABLE_FIRST, hangul.VOWELS * hangul.TAILS)
        vowel, tail = divmod(rest, hangul.TAILS)
        jamo = hangul.to_jamo(chr(code))
        expected = [0x1100 + lead, 0x1161 + vowel] + ([0x11A7 + tail] if tail else [])
        assert [ord(ch) for ch in jamo] == expected
        assert _syllable_code(lead, vowel, tail) == code
    assert hangul.SYLLABLE_LAST - hangul.SYLLABLE_FIRST + 1 == hangul.LEADS * hangul.VOWELS * hangul.TAILS


def test_round_trip_and_non_hangul_untouched():
    assert hangul.to_syllables(hangul.to_jamo(SAMPLE)) == SAMPLE
    assert hangul.to_jamo("ok, 1917!") == "ok, 1917!"
    assert hangul.to_jamo("善馨") == "善馨"


def test_is_syllable():
    assert hangul.is_syllable("한") and hangul.is_syllable("힣")
    assert not hangul.is_syllable("a") and not hangul.is_syllable("ᄒ") and not hangul.is_syllable("한글")


def test_jamo_ratio_counts_two_or_three_jamo_per_syllable():
    assert hangul.jamo_ratio("가") == 2  # no final consonant
    assert hangul.jamo_ratio("각") == 3
    assert hangul.jamo_ratio("abc") == 1
    expected = len(unicodedata.normalize("NFD", SAMPLE)) / len(SAMPLE)
    assert hangul.jamo_ratio(SAMPLE) == pytest.approx(expected)
    with pytest.raises(ValueError, match="empty"):
        hangul.jamo_ratio("")


def test_bits_per_character_conversion():
    assert hangul.bits_per_character(math.log(2)) == pytest.approx(1.0)
    # 1 nat per jamo, 2 jamo per character -> 2 nats per character
    assert hangul.bits_per_character(1.0, 2.0) == pytest.approx(2.0 / math.log(2))


def test_compare_granularities():
    syl, jamo = hangul.compare_granularities(SAMPLE, top=3)
    assert (syl.name, jamo.name) == ("syllable", "jamo")
    assert syl.length == len(SAMPLE) and jamo.length == len(unicodedata.normalize("NFD", SAMPLE))
    assert syl.vocab_size == len(set(SAMPLE))
    assert jamo.vocab_size == len(set(unicodedata.normalize("NFD", SAMPLE)))
    assert len(syl.top) == 3 and syl.top[0][1] >= syl.top[1][1]


def test_jamo_label_gives_compatibility_letters():
    assert [hangul.jamo_label(ch) for ch in hangul.to_jamo("각")] == ["ㄱ", "ㅏ", "ㄱ"]
    labels = [hangul.jamo_label(ch) for ch in hangul.to_jamo("무정한")]
    assert all(0x3131 <= ord(label) <= 0x318E for label in labels)
    assert hangul.jamo_label("a") == "a" and hangul.jamo_label("한") == "한"
