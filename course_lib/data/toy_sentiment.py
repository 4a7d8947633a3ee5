r"""The toy sentiment task: twelve short English sentences, half positive, some with "not".

Shapes: N batch (sentences), T time steps (words), V vocabulary size counting padding, C = 2
classes (0 negative, 1 positive).

The sentences and labels are those of the course's first seed post. A word-order model is
needed: "i am sad" is negative but "i am not sad" positive, so counting words is not enough
("not" flips the label of the word after it). Nothing here is random; training is seeded by
the caller's generator.

>>> batch = toy_batch()
>>> batch.ids.shape, batch.lengths.tolist()[:3], batch.targets.tolist()[:3]
(torch.Size([12, 4]), [3, 3, 2], [1, 1, 1])
>>> len(batch.vocab) + 1  # V: ten words and the padding id
11
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import torch
from torch import Tensor, nn

from course_lib.data.vocab import build_vocab, encode_batch

SENTENCES: tuple[str, ...] = (
    "i am happy", "you are happy", "feel good", "you feel good", "i am not sad", "you feel not bad",
    "i am sad", "you are sad", "feel bad", "you feel bad", "you are not happy", "i feel not good",
)
TARGETS: tuple[int, ...] = (1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0)
LABELS: tuple[str, ...] = ("negative", "positive")  # index = class id

# Sentences absent from the training set, built only from its words, with the label a reader
# would give. The seed post tests the first one.
UNSEEN: dict[str, int] = {
    "i am not bad": 1,
    "you are not sad": 1,
    "i feel happy": 1,
    "you are not good": 0,
    "i am bad": 0,
    "you feel sad": 0,
}


class ToyBatch(NamedTuple):
    ids: Tensor        # (N, T) long, right-padded with 0
    lengths: Tensor    # (N,) long
    targets: Tensor    # (N,) long, class ids
    vocab: dict[str, int]


def toy_batch(sentences: Sequence[str] = SENTENCES, targets: Sequence[int] = TARGETS,
              vocab: Mapping[str, int] | None = None) -> ToyBatch:
    """The whole toy training set as one padded batch (N = 12, T = 4 for the defaults).

    Args:
        sentences, targets: N sentences and their class ids.
        vocab: reuse this vocabulary; by default build one from ``sentences``.
    """
    vocab = dict(vocab) if vocab is not None else build_vocab(sentences)
    ids, lengths = encode_batch(sentences, vocab)
    return ToyBatch(ids, lengths, torch.tensor(list(targets), dtype=torch.long), vocab)


@torch.no_grad()
def predict(model: nn.Module, sentences: Sequence[str], vocab: Mapping[str, int]) -> list[str]:
    """Label names for new sentences; a word outside ``vocab`` raises ``KeyError`` naming it."""
    was_training = model.training
    model.eval()
    ids, lengths = encode_batch(sentences, vocab)
    labels = [LABELS[int(c)] for c in model(ids, lengths).argmax(dim=-1)]
    model.train(was_training)
    return labels
