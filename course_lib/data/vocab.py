r"""Word vocabularies and right-padded batches of word ids.

Shapes: N batch (sentences), T time steps (words of the longest sentence), V vocabulary
size *counting* the padding id.

A sentence is split on whitespace. Words get ids ``1, 2, 3, ...`` in order of first
appearance; id :data:`PAD_ID` ``= 0`` is reserved for padding and belongs to no word, so an
``nn.Embedding(len(vocab) + 1, D, padding_idx=PAD_ID)`` has a row for every id. A word that is
not in the vocabulary is an error (``KeyError`` naming it), never silently mapped to padding.

>>> vocab = build_vocab(["i am happy", "you are happy"])
>>> vocab
{'i': 1, 'am': 2, 'happy': 3, 'you': 4, 'are': 5}
>>> ids, lengths = encode_batch(["i am happy", "you"], vocab)
>>> ids
tensor([[1, 2, 3],
        [4, 0, 0]])
>>> lengths
tensor([3, 1])
>>> decode(ids[1], vocab)
['you']
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import torch
from torch import Tensor

PAD_ID = 0  # id of the padding token; nn.Embedding(..., padding_idx=PAD_ID) keeps its row at zero


def tokenize(sentence: str) -> list[str]:
    """Split on any run of whitespace (spaces, tabs, newlines); no empty tokens."""
    return sentence.split()


def build_vocab(sentences: Iterable[str]) -> dict[str, int]:
    """Map every word to an id 1, 2, 3, … in order of first appearance.

    Args:
        sentences: whitespace-separated words.

    Returns:
        {word: id} with len(vocab) distinct words; `PAD_ID` (0) is not a value,
        so the embedding table needs V = len(vocab) + 1 rows.
    """
    vocab: dict[str, int] = {}
    for sentence in sentences:
        for word in tokenize(sentence):
            if word not in vocab:
                vocab[word] = len(vocab) + 1  # 0 is kept for padding
    return vocab


def encode(sentence: str, vocab: Mapping[str, int]) -> list[int]:
    """The ids of one sentence's words, unpadded.

    Raises:
        KeyError: naming the first word that is not in vocab.
    """
    ids = []
    for word in tokenize(sentence):
        if word not in vocab:
            raise KeyError(f"unknown word {word!r}: it is not in the vocabulary (sentence {sentence!r})")
        ids.append(vocab[word])
    return ids


def encode_batch(sentences: Sequence[str], vocab: Mapping[str, int]) -> tuple[Tensor, Tensor]:
    """Encode sentences into one right-padded id matrix, keeping their order.

        ids[n, t] = vocab[word t of sentence n]   for t < ℓ_n
        ids[n, t] = 0                             for t ≥ ℓ_n

    Args:
        sentences: N sentences, each with at least one word.
        vocab: from `build_vocab`.

    Returns:
        ids: LongTensor (N, T), T = max(lengths), padded on the right with `PAD_ID`.
        lengths: LongTensor (N,), the number of words ℓ_n of each sentence.

    Raises:
        KeyError: for a word not in `vocab` (the message names it).
        ValueError: for an empty batch or a sentence without words (a sequence of length 0
            cannot be packed).
    """
    if len(sentences) == 0:
        raise ValueError("encode_batch needs at least one sentence")
    rows = [encode(sentence, vocab) for sentence in sentences]
    for sentence, row in zip(sentences, rows, strict=True):
        if not row:
            raise ValueError(f"sentence {sentence!r} has no words")
    lengths = torch.tensor([len(row) for row in rows], dtype=torch.long)
    ids = torch.full((len(rows), int(lengths.max())), PAD_ID, dtype=torch.long)
    for n, row in enumerate(rows):
        ids[n, : len(row)] = torch.tensor(row, dtype=torch.long)
    return ids, lengths


def decode(ids: Iterable[int] | Tensor, vocab: Mapping[str, int]) -> list[str]:
    """The words of one row of ids, padding dropped.

    Args:
        ids: (T,) ids, possibly right-padded with :data:`PAD_ID`.
        vocab: the ``{word: id}`` map the ids came from.
    """
    words = {i: w for w, i in vocab.items()}
    return [words[int(i)] for i in ids if int(i) != PAD_ID]
