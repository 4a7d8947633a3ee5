"""Korean number readings: known pairs, the rules as invariants, the inverse, the task's split."""
from __future__ import annotations

import numpy as np
import pytest

from course_lib.data import korean_numbers as kn

KNOWN = {
    1: "일", 2: "이", 9: "구", 10: "십", 11: "십일", 19: "십구", 20: "이십", 21: "이십일", 99: "구십구",
    100: "백", 101: "백일", 110: "백십", 111: "백십일", 200: "이백", 999: "구백구십구",
    1000: "천", 1001: "천일", 1004: "천사", 1010: "천십", 1100: "천백", 1111: "천백십일",
    2024: "이천이십사", 9999: "구천구백구십구",
    10_000: "만", 10_001: "만 일", 10_010: "만 십", 11_000: "만 천", 12_000: "만 이천",
    19_999: "만 구천구백구십구", 20_000: "이만", 21_000: "이만 천", 100_000: "십만", 110_000: "십일만",
    101_000: "십만 천", 1_000_000: "백만", 1_010_000: "백일만", 10_000_000: "천만", 10_010_000: "천일만",
    11_110_000: "천백십일만",
    12_345_678: "천이백삼십사만 오천육백칠십팔",
    100_000_000: "일억", 100_000_001: "일억 일", 100_010_000: "일억 일만", 110_000_000: "일억 천만",
    200_000_000: "이억", 1_000_000_000: "십억", 100_000_000_000: "천억",
    # 한글 맞춤법 제44항's own example (12억 3456만 7898) and its commentary's (3243조 7867억 8927만 6354)
    1_234_567_898: "십이억 삼천사백오십육만 칠천팔백구십팔",
    3_243_786_789_276_354: "삼천이백사십삼조 칠천팔백육십칠억 팔천구백이십칠만 육천삼백오십사",
    1_000_000_000_000: "일조", 1_000_100_000_000: "일조 일억", 1_000_000_010_000: "일조 일만",
    10_000_000_000_000: "십조",
    10**16 - 1: "구천구백구십구조 구천구백구십구억 구천구백구십구만 구천구백구십구",
}


@pytest.mark.parametrize("n, words", KNOWN.items(), ids=[f"{n:,}" for n in KNOWN])
def test_known_readings(n, words):
    assert kn.reading(n) == words
    assert kn.parse_reading(words) == n


def test_numerals_have_thousands_commas():
    assert [kn.numeral(n) for n in (7, 1004, 12000, 1234567)] == ["7", "1,004", "12,000", "1,234,567"]


@pytest.mark.parametrize("n", [0, -5, 10**16])
def test_out_of_range(n):
    with pytest.raises(ValueError):
        kn.reading(n)


def _check_rules(n: int, words: str) -> None:
    assert kn.parse_reading(words) == n, (n, words)
    for place in "십백천":
        assert f"일{place}" not in words, (n, words)  # rule 2: no 일 before 십, 백, 천
    groups = [n // 10 ** (4 * g) % 10**4 for g in range(4)]
    assert words.count(" ") == sum(1 for g in groups if g) - 1, (n, words)  # rule 5: one space per gap
    assert not words.startswith("일만"), (n, words)  # rule 4
    assert "영" not in words and "  " not in words and words == words.strip()


def test_every_number_below_30_000_follows_the_rules_and_reads_back():
    for n in range(1, 30_000):  # every form of a one- or two-group number, 만 at the start included
        _check_rules(n, kn.reading(n))


def test_random_large_numbers_follow_the_rules_and_read_back(rng):
    for n in kn.sample_numbers(5_000, kn.MAX_DIGITS, rng):
        _check_rules(n, kn.reading(n))


def test_parse_reading_refuses_other_words():
    with pytest.raises(ValueError):
        kn.parse_reading("천사 원")
    with pytest.raises(ValueError):
        kn.parse_reading(" ")


def test_digit_by_digit_is_right_only_for_one_digit_numbers():
    assert kn.digit_by_digit(1004) == "일영영사"
    assert all(kn.digit_by_digit(n) == kn.reading(n) for n in range(1, 10))
    assert not any(kn.digit_by_digit(n) == kn.reading(n) for n in range(10, 10_000))


def test_sample_numbers_spread_lengths_and_repeat_for_a_seed():
    numbers = kn.sample_numbers(5_000, 12, np.random.default_rng(3))
    assert numbers == kn.sample_numbers(5_000, 12, np.random.default_rng(3))
    lengths = [len(str(n)) for n in numbers]
    assert min(lengths) == 1 and max(lengths) == 12
    assert all(abs(lengths.count(k) / len(lengths) - 1 / 12) < 0.02 for k in range(1, 13))
    zeros = sum(str(n)[1:].count("0") for n in numbers) / sum(len(str(n)) - 1 for n in numbers)
    assert abs(zeros - 0.4) < 0.02


def test_number_splits_are_fixed_disjoint_and_alike():
    train, val, test = kn.number_splits((3_000, 500, 500), max_digits=8, seed=1)
    assert (len(train), len(val), len(test)) == (3_000, 500, 500)
    assert len(set(train) | set(val) | set(test)) == 4_000
    assert (train, val, test) == kn.number_splits((3_000, 500, 500), max_digits=8, seed=1)
    assert train != kn.number_splits((3_000, 500, 500), max_digits=8, seed=2)[0]
    mean_length = [np.mean([len(str(n)) for n in part]) for part in (train, val, test)]
    assert max(mean_length) - min(mean_length) < 0.5
