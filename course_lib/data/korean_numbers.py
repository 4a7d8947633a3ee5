r"""Arabic numerals and their Sino-Korean readings: 1,004 -> 천사, 12,000 -> 만 이천.

The rules, as Korean writes cardinal numbers in words (한글 맞춤법, the Korean orthography of
the National Institute of Korean Language, https://korean.go.kr/kornorms/, and its dictionary,
표준국어대사전, https://stdict.korean.go.kr/):

1. **Digits.** 1–9 are 일 이 삼 사 오 육 칠 팔 구. Zero is not read inside a number.
2. **Places inside a group of four digits.** 십 (10), 백 (100), 천 (1,000): a digit ``d`` at
   a place is read "d + place" (3,000 = 삼천), a zero digit is skipped (1,004 = 천사), and
   **일 is dropped before 십, 백 and 천**: 10 = 십, 100 = 백, 1,000 = 천, 1,111 = 천백십일
   (not 일천일백일십일).
3. **Groups of four digits** (만 is 10⁴, 억 10⁸, 조 10¹²): a number is read group by group from
   the left, each group followed by its unit; a group that is all zeros is left out
   (100,000,001 = 일억 일).
4. **만 at the start.** A leading group 만 whose value is 1 is read 만, without 일: 10,000 = 만,
   12,000 = 만 이천. (The dictionary accepts both 만 and 일만; the task must have one answer, and
   만 is how the number is said.) Elsewhere a group of value 1 keeps its 일: 일억, 일조, and
   100,010,000 = 일억 일만.
5. **Spacing** (한글 맞춤법 제44항: "수를 적을 적에는 '만(萬)' 단위로 띄어 쓴다"): one space
   between groups, none inside a group. The article's own example,
   12,3456,7898 = 십이억 삼천사백오십육만 칠천팔백구십팔, is one of this module's tests.

A numeral is written with a comma every three digits (1,234,567), as English and Korean texts
print it. :func:`reading` implements the rules; :func:`parse_reading` inverts them and is
written separately, so the two check each other over every number below 10⁸ (the tests do).

>>> [reading(n) for n in (1, 10, 11, 1004, 12000, 10000, 110000, 100010000)]
['일', '십', '십일', '천사', '만 이천', '만', '십일만', '일억 일만']
>>> numeral(1234567)
'1,234,567'
"""
from __future__ import annotations

import numpy as np

DIGITS = "영일이삼사오육칠팔구"    # DIGITS[d] reads digit d (영 = 0 is only used for the number 0)
PLACES = ("", "십", "백", "천")    # 10^0 .. 10^3 inside a group of four digits
GROUPS = ("", "만", "억", "조")    # 10^0, 10^4, 10^8, 10^12
MAX_DIGITS = 4 * len(GROUPS)       # 16: the largest number read here is 10^16 - 1


def numeral(n: int) -> str:
    """n written in Arabic digits with a comma every three digits: 12000 -> '12,000'."""
    return f"{n:,}"


def _read_group(value: int) -> str:
    """A group of four digits, 1 <= value <= 9999, read without its unit (rules 1 and 2)."""
    words = []
    for place in range(3, -1, -1):
        digit = value // 10**place % 10
        if digit == 0:
            continue
        if digit == 1 and place > 0:
            words.append(PLACES[place])  # 십, 백, 천 without 일
        else:
            words.append(DIGITS[digit] + PLACES[place])
    return "".join(words)


def reading(n: int) -> str:
    """The Sino-Korean reading of 1 <= n < 10**16, spaced by groups of four digits.

    Raises:
        ValueError: for n outside that range.
    """
    if not 1 <= n < 10**MAX_DIGITS:
        raise ValueError(f"reading covers 1 .. 10^{MAX_DIGITS} - 1, got {n}")
    groups = [n // 10 ** (4 * g) % 10**4 for g in range(len(GROUPS))]   # least significant first
    leading = max(g for g, value in enumerate(groups) if value)
    words = []
    for g in range(leading, -1, -1):
        value = groups[g]
        if value == 0:
            continue                                   # rule 3: an all-zero group is silent
        if value == 1 and GROUPS[g] == "만" and g == leading:
            words.append("만")                         # rule 4: 10,000 is 만
        else:
            words.append(_read_group(value) + GROUPS[g])
    return " ".join(words)                             # rule 5: one space between groups


def parse_reading(text: str) -> int:
    """The number a reading names, the inverse of reading (e.g. '만 이천' -> 12000).

    Reads syllable by syllable: a digit waits for its place (십 백 천) or group (만 억 조); a
    place or group word with no digit before it counts as 1.

    Raises:
        ValueError: on a syllable that is not a number word, or an empty text.
    """
    if not text.strip():
        raise ValueError("an empty reading names no number")
    total, group, digit = 0, 0, None
    for ch in text.replace(" ", ""):
        if ch in DIGITS[1:]:
            digit = DIGITS.index(ch)
        elif ch in PLACES[1:]:
            group += (1 if digit is None else digit) * 10 ** PLACES.index(ch)
            digit = None
        elif ch in GROUPS[1:]:
            group += 0 if digit is None else digit
            total += (group or 1) * 10 ** (4 * GROUPS.index(ch))
            group, digit = 0, None
        else:
            raise ValueError(f"{ch!r} in {text!r} is not a Sino-Korean number word")
    return total + group + (0 if digit is None else digit)


def sample_numbers(count: int, max_digits: int, rng: np.random.Generator, *,
                   zero_probability: float = 0.4) -> list[int]:
    """count random numbers whose lengths are spread evenly over 1 .. max_digits digits.

    The number of digits is uniform; the leading digit is uniform over 1–9; every other digit
    is 0 with probability zero_probability (more often than the 1/10 of uniform digits,
    so that silent zeros, 천사 = 1,004, and silent groups, 만 이천 = 12,000, are common) and
    otherwise uniform over 1–9. Numbers may repeat; number_splits removes repeats.
    """
    if not 1 <= max_digits <= MAX_DIGITS:
        raise ValueError(f"max_digits must be in 1 .. {MAX_DIGITS}, got {max_digits}")
    lengths = rng.integers(1, max_digits + 1, size=count)                       # (count,)
    digits = rng.integers(1, 10, size=(count, max_digits))                      # column 0 leads
    zero = rng.random((count, max_digits)) < zero_probability
    zero[:, 0] = False
    digits[zero] = 0
    numbers = []
    for row, length in zip(digits.tolist(), lengths.tolist(), strict=True):
        n = 0
        for d in row[:length]:
            n = 10 * n + d
        numbers.append(n)
    return numbers


def number_splits(sizes: tuple[int, int, int] = (40_000, 2_000, 2_000), max_digits: int = 12,
                  seed: int = 0) -> tuple[list[int], list[int], list[int]]:
    """The fixed train / validation / test split of the numbers task: three disjoint lists.

    Distinct numbers are drawn with sample_numbers from np.random.default_rng(seed)
    until there are sum(sizes), shuffled by the same generator (so the three parts share
    one distribution of lengths) and cut in that order. The same arguments always give the
    same split, and no number is in two parts.
    """
    rng = np.random.default_rng(seed)
    wanted = sum(sizes)
    if wanted > 10**max_digits // 2:  # drawing distinct numbers gets slow as they run out
        raise ValueError(f"{wanted} distinct numbers of at most {max_digits} digits: too many")
    seen: dict[int, None] = {}                       # an ordered set
    while len(seen) < wanted:
        for n in sample_numbers(wanted, max_digits, rng):
            seen.setdefault(n, None)
    numbers = [int(n) for n in rng.permutation(list(seen)[:wanted])]
    a, b = sizes[0], sizes[0] + sizes[1]
    return numbers[:a], numbers[a:b], numbers[b:]


def digit_by_digit(n: int) -> str:
    """The rule-free reading: each digit's name, places and groups ignored (1,004 -> 일영영사).

    A baseline: it is right only where the rules have nothing to do (one-digit numbers).
    """
    return "".join(DIGITS[int(d)] for d in str(n))
