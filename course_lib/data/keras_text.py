"""Text to integer sequences the way ``keras.datasets`` prepares IMDB and Reuters.

Shapes: N documents, T time steps (tokens after padding).

Keras' conventions, which seed 001 relies on through ``load_data(num_words=...)`` and
``pad_sequences(maxlen=...)``:

* words are ranked by frequency in the **training** texts (rank 1 = most frequent);
* a word of rank ``r`` becomes the id ``r + index_from`` (``index_from = 3``), and ids
  ``0, 1, 2`` are reserved for padding, the start mark (``start_char``) and unknown words
  (``oov_char``);
* only ids below ``num_words`` are kept; every other word becomes ``oov_char``, so
  ``nn.Embedding(num_words, ...)`` covers every id;
* sequences are cut or padded to ``maxlen``, by default at the front (``"pre"``), so the
  last words of a review sit right before the recurrent net's final state.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np
from numpy.typing import NDArray

PAD_ID = 0
START_CHAR = 1
OOV_CHAR = 2
INDEX_FROM = 3
# Keras' Tokenizer filters: punctuation, tab and newline become separators.
KERAS_FILTERS = "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n"
_FILTER_TABLE = str.maketrans({c: " " for c in KERAS_FILTERS})
_HTML_BREAK = re.compile(r"<br\s*/?>", flags=re.IGNORECASE)  # IMDB reviews contain <br />

Tokenizer = Callable[[str], list[str]]


class LabelledTexts(NamedTuple):
    """Raw documents and their labels: ``texts`` (N strings), ``labels`` (N,) int64."""

    texts: list[str]
    labels: NDArray[np.int64]


def tokenize_words(text: str) -> list[str]:
    """Lower-case words split at whitespace and punctuation (Keras ``Tokenizer`` defaults)."""
    return _HTML_BREAK.sub(" ", text).lower().translate(_FILTER_TABLE).split()


def tokenize_syllables(text: str) -> list[str]:
    """One token per non-space character; for Korean that is one Hangul syllable block.

    Spaces are dropped: Korean spacing is irregular in reviews, and the syllables carry the
    meaning.
    """
    return [c for c in text.lower() if not c.isspace()]


def tokenize_char_ngrams(text: str, n: int = 2) -> list[str]:
    """Overlapping character ``n``-grams inside each whitespace word (the word itself if shorter).

    ``"재밌었다 ㅋㅋ"`` with ``n=2`` gives ``["재밌", "밌었", "었다", "ㅋㅋ"]``: a stem and its
    endings share n-grams even when the full word forms differ.
    """
    tokens: list[str] = []
    for word in text.lower().split():
        if len(word) <= n:
            tokens.append(word)
        else:
            tokens.extend(word[i:i + n] for i in range(len(word) - n + 1))
    return tokens


def rank_words(token_lists: Iterable[Sequence[str]]) -> dict[str, int]:
    """Frequency ranks, 1 = most frequent; ties keep the order of first appearance."""
    counts: Counter[str] = Counter()
    for tokens in token_lists:
        counts.update(tokens)
    return {word: rank for rank, (word, _) in enumerate(counts.most_common(), start=1)}


def encode(tokens: Sequence[str], word_rank: dict[str, int], *, num_words: int | None = None,
           start_char: int | None = START_CHAR, oov_char: int = OOV_CHAR,
           index_from: int = INDEX_FROM) -> list[int]:
    """Ids for one document: ``[start_char] + [rank + index_from or oov_char, ...]``.

    Words absent from ``word_rank``, and ids ``>= num_words``, become ``oov_char``.
    """
    ids = [] if start_char is None else [start_char]
    for token in tokens:
        rank = word_rank.get(token)
        index = oov_char if rank is None else rank + index_from
        ids.append(oov_char if num_words is not None and index >= num_words else index)
    return ids


def pad_sequences(sequences: Sequence[Sequence[int]], maxlen: int, *,
                  padding: Literal["pre", "post"] = "pre",
                  truncating: Literal["pre", "post"] = "pre",
                  value: int = PAD_ID) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Cut and pad to a fixed length, like ``keras.utils.pad_sequences``.

    Args:
        sequences: N lists of ids of any length.
        maxlen: T, the output length.
        padding: put the padding before (``"pre"``) or after (``"post"``) the ids.
        truncating: drop ids from the front (``"pre"``, keeps the end) or the back.
        value: the padding id.

    Returns:
        ids (N, T) int64, and lengths (N,) int64: how many real ids each row holds (at least
        1 for an empty document, which becomes a single padding id so it can be packed).
    """
    if padding not in ("pre", "post") or truncating not in ("pre", "post"):
        raise ValueError(f"padding and truncating must be 'pre' or 'post', got {padding!r}, {truncating!r}")
    out = np.full((len(sequences), maxlen), value, dtype=np.int64)
    lengths = np.ones(len(sequences), dtype=np.int64)
    for row, seq in enumerate(sequences):
        kept = list(seq[-maxlen:] if truncating == "pre" else seq[:maxlen]) if maxlen > 0 else []
        if not kept:
            continue
        lengths[row] = len(kept)
        if padding == "pre":
            out[row, maxlen - len(kept):] = kept
        else:
            out[row, : len(kept)] = kept
    return out, lengths


@dataclass
class KerasStyleEncoder:
    """Fit a vocabulary on training texts, then turn any texts into padded id arrays.

    Example::

        enc = KerasStyleEncoder(num_words=5000, maxlen=100).fit(train.texts)
        x_train, len_train = enc.transform(train.texts)   # (N, 100), (N,)

    Attributes:
        num_words: ids at or above this become ``oov_char`` (``None`` keeps every word).
        maxlen: T.
        tokenizer: text -> tokens (:func:`tokenize_words` by default).
        padding, truncating: see :func:`pad_sequences`.
        word_rank: filled by :meth:`fit`, or given (e.g. Keras' IMDB word index).
    """

    num_words: int | None
    maxlen: int
    tokenizer: Tokenizer = tokenize_words
    padding: Literal["pre", "post"] = "pre"
    truncating: Literal["pre", "post"] = "pre"
    start_char: int | None = START_CHAR
    oov_char: int = OOV_CHAR
    index_from: int = INDEX_FROM
    word_rank: dict[str, int] | None = None

    def fit(self, texts: Iterable[str]) -> KerasStyleEncoder:
        """Rank the words of the training ``texts`` (never the validation or test texts)."""
        self.word_rank = rank_words(self.tokenizer(t) for t in texts)
        return self

    @property
    def vocab_size(self) -> int:
        """V, the number of embedding rows needed: ``num_words`` or the largest id + 1."""
        if self.num_words is not None:
            return self.num_words
        if self.word_rank is None:
            raise RuntimeError("call fit() first")
        return len(self.word_rank) + self.index_from + 1

    def transform(self, texts: Sequence[str]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Ids (N, T) and lengths (N,) for ``texts``."""
        if self.word_rank is None:
            raise RuntimeError("call fit() first, or pass word_rank")
        sequences = [encode(self.tokenizer(t), self.word_rank, num_words=self.num_words,
                            start_char=self.start_char, oov_char=self.oov_char,
                            index_from=self.index_from) for t in texts]
        return pad_sequences(sequences, self.maxlen, padding=self.padding, truncating=self.truncating)

    def decode(self, ids: Sequence[int]) -> str:
        """Ids back to words (``?`` for padding, start and unknown), for inspection."""
        if self.word_rank is None:
            raise RuntimeError("call fit() first")
        words = {rank + self.index_from: w for w, rank in self.word_rank.items()}
        return " ".join(words.get(int(i), "?") for i in ids if int(i) != PAD_ID)
