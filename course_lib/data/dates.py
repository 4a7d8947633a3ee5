"""Dates written out in words, in English or Korean, and their ISO 8601 form: a second task.

"Friday, March 5, 2021", "5 March 2021", "Mar. 5, 2021" and "2021년 3월 5일" all name the
ISO date ``2021-03-05``. Every format here is unambiguous (no ``03/05/21``, which is 3 May
in one country and 5 March in another), so each source has exactly one right answer, and the
weekday, when written, is the true one (from :mod:`datetime`).

>>> import datetime
>>> [write_date(datetime.date(2021, 3, 5), style) for style in STYLES]
['March 5, 2021', '5 March 2021', 'Mar. 5, 2021', 'Friday, March 5, 2021', '2021년 3월 5일']
"""
from __future__ import annotations

import datetime

import numpy as np

STYLES = ("month day, year", "day month year", "abbreviated", "weekday", "korean")
FIRST_DAY = datetime.date(1900, 1, 1)
LAST_DAY = datetime.date(2099, 12, 31)
# Abbreviations as in the AP and Chicago styles: May, June and July are never shortened.
ABBREVIATIONS = {"January": "Jan.", "February": "Feb.", "March": "Mar.", "April": "Apr.", "May": "May",
                 "June": "June", "July": "July", "August": "Aug.", "September": "Sept.",
                 "October": "Oct.", "November": "Nov.", "December": "Dec."}
MONTHS = tuple(ABBREVIATIONS)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def write_date(day: datetime.date, style: str) -> str:
    """day written in one of STYLES."""
    month = MONTHS[day.month - 1]
    if style == "month day, year":
        return f"{month} {day.day}, {day.year}"
    if style == "day month year":
        return f"{day.day} {month} {day.year}"
    if style == "abbreviated":
        return f"{ABBREVIATIONS[month]} {day.day}, {day.year}"
    if style == "weekday":
        return f"{WEEKDAYS[day.weekday()]}, {month} {day.day}, {day.year}"
    if style == "korean":
        return f"{day.year}년 {day.month}월 {day.day}일"
    raise ValueError(f"unknown style {style!r}; use one of {STYLES}")


def date_pairs(count: int, rng: np.random.Generator) -> list[tuple[str, str]]:
    """count pairs (written date, ISO date): days uniform over 1900–2099, styles uniform."""
    span = (LAST_DAY - FIRST_DAY).days + 1
    offsets = rng.integers(0, span, size=count)
    styles = rng.integers(0, len(STYLES), size=count)
    pairs = []
    for offset, style in zip(offsets.tolist(), styles.tolist(), strict=True):
        day = FIRST_DAY + datetime.timedelta(days=offset)
        pairs.append((write_date(day, STYLES[style]), day.isoformat()))
    return pairs


def date_splits(sizes: tuple[int, int, int] = (20_000, 1_000, 1_000),
                seed: int = 0) -> tuple[list[tuple[str, str]], ...]:
    """The fixed train / validation / test split of the dates task: disjoint written sources.

    Distinct pairs are drawn with date_pairs from np.random.default_rng(seed) and
    cut in order of first appearance.
    """
    rng = np.random.default_rng(seed)
    wanted = sum(sizes)
    seen: dict[tuple[str, str], None] = {}
    while len(seen) < wanted:
        for pair in date_pairs(wanted, rng):
            seen.setdefault(pair, None)
    pairs = list(seen)[:wanted]
    a, b = sizes[0], sizes[0] + sizes[1]
    return pairs[:a], pairs[a:b], pairs[b:]
