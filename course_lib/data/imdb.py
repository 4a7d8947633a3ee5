"""The IMDB Large Movie Review Dataset v1.0 (Maas et al., 2011): 25,000 + 25,000 reviews.

Labels: 1 = positive (7-10 stars), 0 = negative (1-4 stars); the two classes are balanced.
The archive unpacks to ``aclImdb/{train,test}/{pos,neg}/<id>_<stars>.txt``; the mirror holds the
same layout under ``imdb/aclImdb``. Keras' ``imdb.npz`` was built from this text; we tokenize
it ourselves (:mod:`course_lib.data.keras_text`), so the ids differ from Keras' while the
conventions (``num_words``, ``maxlen``, ``index_from``) match.
"""
from __future__ import annotations

import json
import os
from typing import Literal

import numpy as np

from course_lib.data.download import Resource, fetch
from course_lib.data.keras_text import LabelledTexts

IMDB = Resource(
    name="IMDB Large Movie Review Dataset v1.0",
    url="https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",
    checksum="7c2ac02c03563afcf9b574c7e56c153a",
    algorithm="md5",
    filename="aclImdb_v1.tar.gz",
    kind="tar.gz",
    mirror_path="imdb/aclImdb",
    archive_root="aclImdb",
    checksum_source=(
        "md5 published with torchtext's IMDB loader (torchtext/datasets/imdb.py, MD5); the "
        "Stanford page publishes no checksum"
    ),
)

IMDB_WORD_INDEX = Resource(
    name="Keras IMDB word index",
    url="https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb_word_index.json",
    checksum="bfafd718b763782e994055a2d397834f",
    algorithm="md5",
    filename="imdb_word_index.json",
    kind="file",
    mirror_path="imdb/imdb_word_index.json",
    checksum_source="file_hash in keras/src/datasets/imdb.py (keras 3.15.1)",
)

LABELS = ("neg", "pos")  # label id = position in this tuple


def load_imdb(split: Literal["train", "test"] = "train", *,
              cache_dir: str | os.PathLike[str] | None = None,
              progress: bool = True) -> LabelledTexts:
    """The reviews of one split, negatives first, each class in file-name order.

    Args:
        split: ``"train"`` or ``"test"`` (12,500 negative + 12,500 positive reviews each).
        cache_dir: overrides ``COURSE_DATA_CACHE``.
        progress: show a download bar if a download is needed.

    Returns:
        :class:`~course_lib.data.keras_text.LabelledTexts`: 25,000 texts and labels (N,).
        Shuffle before batching: the order is sorted by class.
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    root = fetch(IMDB, cache_dir=cache_dir, progress=progress) / split
    texts: list[str] = []
    labels: list[int] = []
    for label, folder in enumerate(LABELS):
        names = sorted(os.listdir(root / folder), key=lambda n: int(n.split("_")[0]))
        for name in names:
            with open(root / folder / name, encoding="utf-8") as f:
                texts.append(f.read())
        labels.extend([label] * len(names))
    return LabelledTexts(texts, np.asarray(labels, dtype=np.int64))


def load_imdb_word_index(*, cache_dir: str | os.PathLike[str] | None = None,
                         progress: bool = True) -> dict[str, int]:
    """Keras' IMDB word index: word -> frequency rank (1 = most frequent), 88,584 words.

    Pass it as ``KerasStyleEncoder(word_rank=...)`` to use Keras' ranking instead of one fitted
    on our tokens. Keras built it from its own tokenization, so some of our tokens are missing.
    """
    path = fetch(IMDB_WORD_INDEX, cache_dir=cache_dir, progress=progress)
    with open(path, encoding="utf-8") as f:
        return {str(k): int(v) for k, v in json.load(f).items()}
