"""course_lib.data.keras_text against Keras' documented conventions, worked by hand."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import data_mirror

from course_lib.data import download
from course_lib.data.keras_text import (
    KerasStyleEncoder,
    encode,
    pad_sequences,
    rank_words,
    tokenize_char_ngrams,
    tokenize_syllables,
    tokenize_words,
)


def test_tokenize_words_lowercases_and_splits_punctuation_and_br():
    tokens = tokenize_words("Great film!<br /><br />Loved it, really.")
    assert tokens == ["great", "film", "loved", "it", "really"]


def test_korean_tokenizers():
    assert tokenize_syllables("정말 재밌다") == ["정", "말", "재", "밌", "다"]
    assert tokenize_char_ngrams("재밌었다 ㅋㅋ", 2) == ["재밌", "밌었", "었다", "ㅋㅋ"]
    assert tokenize_char_ngrams("재밌었다", 3) == ["재밌었", "밌었다"]


def test_rank_words_by_frequency_ties_by_first_appearance():
    assert rank_words([["b", "a", "c"], ["a", "c", "d"]]) == {"a": 1, "c": 2, "b": 3, "d": 4}


def test_encode_follows_keras_offsets():
    ranks = {"the": 1, "movie": 2, "rare": 3}
    # ids: the=4, movie=5, rare=6; num_words=6 keeps ids < 6
    assert encode(["the", "movie", "rare", "unseen"], ranks, num_words=6) == [1, 4, 5, 2, 2]
    assert encode(["the"], ranks, start_char=None) == [4]


def test_pad_sequences_pre_and_post():
    seqs = [[1, 2, 3, 4, 5], [7], []]
    ids, lengths = pad_sequences(seqs, 3)
    np.testing.assert_array_equal(ids, [[3, 4, 5], [0, 0, 7], [0, 0, 0]])
    np.testing.assert_array_equal(lengths, [3, 1, 1])
    ids, _ = pad_sequences(seqs, 3, padding="post", truncating="post")
    np.testing.assert_array_equal(ids, [[1, 2, 3], [7, 0, 0], [0, 0, 0]])
    assert ids.dtype == np.int64 and ids.shape == (3, 3)
    with pytest.raises(ValueError, match="padding"):
        pad_sequences(seqs, 3, padding="middle")  # type: ignore[arg-type]


def test_encoder_fits_on_training_texts_only():
    enc = KerasStyleEncoder(num_words=7, maxlen=4).fit(["good good fun", "good bad"])
    assert enc.word_rank == {"good": 1, "fun": 2, "bad": 3}
    ids, lengths = enc.transform(["bad fun", "awful"])
    np.testing.assert_array_equal(ids, [[0, 1, 6, 5], [0, 0, 1, 2]])
    np.testing.assert_array_equal(lengths, [3, 2])
    assert enc.vocab_size == 7 and enc.decode(ids[0]) == "? bad fun"
    assert KerasStyleEncoder(num_words=None, maxlen=2).fit(["a b"]).vocab_size == 6
    with pytest.raises(RuntimeError, match="fit"):
        KerasStyleEncoder(num_words=5, maxlen=2).transform(["x"])


@pytest.mark.skipif(data_mirror() is None, reason="no data mirror")
def test_keras_imdb_word_index_as_ranks(monkeypatch):
    from course_lib.data.imdb import load_imdb_word_index

    monkeypatch.setenv(download.MIRROR_ENV, str(data_mirror()))
    enc = KerasStyleEncoder(num_words=5000, maxlen=5, word_rank=load_imdb_word_index(progress=False))
    ids, _ = enc.transform(["this film was just brilliant"])
    # Keras' first training review starts [1, 14, 22, 16, 43, 530, ...]:
    # "<start> this film was just brilliant"
    np.testing.assert_array_equal(ids, [[14, 22, 16, 43, 530]])
