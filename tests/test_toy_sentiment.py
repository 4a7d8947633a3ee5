"""course_lib.data.toy_sentiment: the seed post's twelve sentences, and the model learns them."""
from __future__ import annotations

import pytest
import torch

from course_lib.data.toy_sentiment import (
    LABELS,
    SENTENCES,
    TARGETS,
    UNSEEN,
    predict,
    toy_batch,
)
from course_lib.training.classification import train_full_batch as train_classifier
from course_lib.data.vocab import tokenize
from course_lib.torch_nn.packing import PackedLSTMClassifier


def test_the_batch_matches_the_seed_post():
    batch = toy_batch()
    assert batch.ids.shape == (12, 4) and batch.lengths.shape == (12,) and batch.targets.shape == (12,)
    assert batch.targets.tolist() == [1] * 6 + [0] * 6
    assert len(batch.vocab) == 10  # V = 11 with padding
    assert batch.lengths.tolist() == [len(s.split()) for s in SENTENCES]


def test_unseen_sentences_are_new_but_use_known_words():
    known = {w for s in SENTENCES for w in tokenize(s)}
    for sentence, label in UNSEEN.items():
        assert sentence not in SENTENCES
        assert set(tokenize(sentence)) <= known
        assert label in (0, 1)
    assert UNSEEN["i am not bad"] == LABELS.index("positive")


def test_negation_means_word_counts_cannot_separate_the_classes():
    # "not" turns a sentence around: some pair of sentences with opposite labels differ only by it
    pairs = list(zip(SENTENCES, TARGETS, strict=True))
    bags = {frozenset(s.split()) - {"not"}: t for s, t in pairs if "not" not in s}
    flipped = [s for s, t in pairs if "not" in s and bags.get(frozenset(s.split()) - {"not"}) == 1 - t]
    assert flipped, "expected a sentence whose label flips with 'not'"


@pytest.mark.slow
def test_training_fits_the_set_and_reads_i_am_not_bad_as_positive():
    torch.manual_seed(0)
    batch = toy_batch()
    model = PackedLSTMClassifier(len(batch.vocab) + 1, 4, 10, 2, proj_size=5)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a model this small is ~40x slower with two threads on a busy 2-core machine
    try:
        history = train_classifier(model, batch, epochs=600)
    finally:
        torch.set_num_threads(threads)
    assert len(history.step_loss) == 600
    assert history.step_loss[-1] < 1e-2 < history.step_loss[0]
    assert predict(model, SENTENCES, batch.vocab) == [LABELS[t] for t in TARGETS]
    assert predict(model, ["i am not bad"], batch.vocab) == ["positive"]
    assert model.training, "predict must restore the training mode"


def test_predict_names_an_unknown_word():
    batch = toy_batch()
    model = PackedLSTMClassifier(len(batch.vocab) + 1, 4, 10, 2, proj_size=5)
    with pytest.raises(KeyError, match="terrible"):
        predict(model, ["i am terrible"], batch.vocab)
