"""course_lib.data.vocab: first-appearance ids, right padding with 0, unknown words refused."""
from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.data.vocab import PAD_ID, build_vocab, decode, encode, encode_batch, tokenize

SEED_SENTENCES = ["i am happy", "you are happy", "feel good", "you feel good", "i am not sad"]


def test_ids_follow_first_appearance_and_start_at_one():
    vocab = build_vocab(SEED_SENTENCES)
    assert vocab == {"i": 1, "am": 2, "happy": 3, "you": 4, "are": 5,
                     "feel": 6, "good": 7, "not": 8, "sad": 9}
    assert PAD_ID == 0 and PAD_ID not in vocab.values()


def test_any_whitespace_separates_words():
    assert tokenize("  i\tam \n happy ") == ["i", "am", "happy"]
    assert build_vocab(["b  a\tb", "c"]) == {"b": 1, "a": 2, "c": 3}


def test_encode_batch_right_pads_keeps_order_and_uses_the_longest_length():
    vocab = build_vocab(SEED_SENTENCES)
    ids, lengths = encode_batch(["feel good", "i am not sad", "you"], vocab)
    expected = torch.tensor([[6, 7, 0, 0], [1, 2, 8, 9], [4, 0, 0, 0]])
    assert ids.dtype == torch.long and lengths.dtype == torch.long
    assert torch.equal(ids, expected)
    assert torch.equal(lengths, torch.tensor([2, 4, 1]))


def test_unknown_word_raises_key_error_naming_it():
    vocab = build_vocab(SEED_SENTENCES)
    with pytest.raises(KeyError, match="terrible"):
        encode_batch(["i am happy", "i am terrible"], vocab)
    with pytest.raises(KeyError, match="xyz"):
        encode("xyz", vocab)


def test_empty_inputs_are_refused():
    vocab = build_vocab(SEED_SENTENCES)
    with pytest.raises(ValueError, match="at least one"):
        encode_batch([], vocab)
    with pytest.raises(ValueError, match="no words"):
        encode_batch(["i am", "   "], vocab)


words = st.sampled_from(["a", "bb", "ccc", "d", "e", "ff"])
sentences = st.lists(st.lists(words, min_size=1, max_size=6).map(" ".join), min_size=1, max_size=5)


@settings(max_examples=50, deadline=None)
@given(sentences)
def test_round_trip_and_padding_invariants(batch):
    vocab = build_vocab(batch)
    assert sorted(vocab.values()) == list(range(1, len(vocab) + 1))
    ids, lengths = encode_batch(batch, vocab)
    assert ids.shape == (len(batch), int(lengths.max()))
    for n, sentence in enumerate(batch):
        assert decode(ids[n], vocab) == sentence.split()
        assert int(lengths[n]) == len(sentence.split())
        assert bool((ids[n, : lengths[n]] != PAD_ID).all()) and bool((ids[n, lengths[n]:] == PAD_ID).all())
