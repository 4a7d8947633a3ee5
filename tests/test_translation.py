"""Translation tasks: vocabularies with specials, encoding, the fixed splits, dates, baselines."""
from __future__ import annotations

import datetime

import numpy as np
import pytest
import torch

from course_lib.data import dates, korean_numbers
from course_lib.data import translation as tr


def test_vocab_has_the_specials_first_and_sorted_characters():
    vocab = tr.CharVocab(["ba", "ca"])
    assert vocab.itos == ["<pad>", "<bos>", "<eos>", "a", "b", "c"]
    assert (tr.PAD_ID, tr.BOS_ID, tr.EOS_ID) == (0, 1, 2)
    assert vocab.encode("cab") == [5, 3, 4]
    assert vocab.decode([1, 5, 3, 2, 4, 0]) == "ca"       # <bos> skipped, stops at <eos>
    assert vocab.tokens([1, 5, 2]) == ["<bos>", "c", "<eos>"]
    with pytest.raises(KeyError):
        vocab.encode("d")


@pytest.fixture(scope="module")
def small_task():
    return tr.numbers_to_korean(sizes=(2_000, 200, 200), max_digits=8, seed=5)


def test_numbers_task_pairs_and_encoding(small_task):
    task = small_task
    assert (len(task.train), len(task.val), len(task.test)) == (2_000, 200, 200)
    for source, target in zip(task.test.sources, task.test.targets, strict=True):
        n = int(source.replace(",", ""))
        assert source == korean_numbers.numeral(n) and target == korean_numbers.reading(n)
    src, lengths = task.encode_sources(task.test.sources[:5])
    assert lengths.tolist() == [len(s) for s in task.test.sources[:5]]
    assert src.shape == (5, max(lengths.tolist())) and src.dtype == torch.long
    tgt = task.encode_targets(task.test.targets[:5])
    for row, target in zip(tgt, task.test.targets[:5], strict=True):
        assert row[len(target)] == tr.EOS_ID and (row[len(target) + 1 :] == tr.PAD_ID).all()
        assert task.target_vocab.decode(row) == target
    assert set("".join(task.train.sources)) == set("0123456789,")
    assert set(task.target_vocab.itos[3:]) <= set(korean_numbers.DIGITS[1:] + "십백천만억조 ")


def test_reverse_task_uses_the_same_split(small_task):
    reverse = tr.korean_to_numbers(sizes=(2_000, 200, 200), max_digits=8, seed=5)
    assert reverse.test.sources == small_task.test.targets
    assert reverse.test.targets == small_task.test.sources


def test_dates_are_unambiguous_and_true():
    pairs = dates.date_pairs(500, np.random.default_rng(0))
    for written, iso in pairs:
        day = datetime.date.fromisoformat(iso)
        assert dates.FIRST_DAY <= day <= dates.LAST_DAY
        assert written in {dates.write_date(day, style) for style in dates.STYLES}
    assert dates.write_date(datetime.date(2021, 3, 5), "weekday") == "Friday, March 5, 2021"
    assert dates.write_date(datetime.date(1999, 9, 1), "abbreviated") == "Sept. 1, 1999"
    with pytest.raises(ValueError):
        dates.write_date(datetime.date(2021, 3, 5), "03/05/21")


def test_dates_task_split_is_disjoint_and_fixed():
    task = tr.dates_to_iso(sizes=(1_000, 100, 100), seed=3)
    assert not set(task.train.sources) & set(task.test.sources)
    assert task.test.sources == tr.dates_to_iso(sizes=(1_000, 100, 100), seed=3).test.sources
    assert all(len(t) == 10 for t in task.test.targets)


def test_baselines(small_task):
    majority = tr.majority_output(small_task)
    assert majority in small_task.train.targets
    assert tr.exact_match(["a", "b", "c"], ["a", "x", "c"]) == pytest.approx(2 / 3)
    with pytest.raises(ValueError):
        tr.exact_match(["a"], ["a", "b"])
