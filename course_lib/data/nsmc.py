"""NSMC, the Naver sentiment movie corpus v1.0 (e9t/nsmc, CC0): Korean movie reviews.

Upstream has 150,000 training and 50,000 test rows, labels 1 = positive (9-10 stars) and
0 = negative (1-4 stars). Files are tab-separated with a header ``id document label``.
They must be read **without quote processing** (``csv.QUOTE_NONE``): some reviews contain
``"`` characters that pandas' ``to_csv`` escaped upstream, and a quote-aware reader would
merge rows.

The course's mirror holds only byte prefixes, and :func:`load_nsmc` uses them when the full
files are absent: ``nsmc/ratings_train.head5000.txt`` (the first 5,000 training rows) and
``nsmc/ratings_test.head25000.txt`` (the first 25,000 test rows). The returned
:class:`NSMCSplit` says which file was read.
"""
from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Literal, NamedTuple

import numpy as np

from course_lib.data.download import Resource, fetch
from course_lib.data.keras_text import LabelledTexts

_GIT_TREE = "e9t/nsmc tree cc0670e872d4ac27bfe36c87456783004b39ef6c (shared/data/SOURCES.md)"

NSMC_TRAIN = Resource(
    name="NSMC ratings_train.txt",
    url="https://raw.githubusercontent.com/e9t/nsmc/master/ratings_train.txt",
    checksum="ac0dba272895dc1d0b3dd5f11afbeaeb7abe7876",
    algorithm="git-blob-sha1",
    filename="ratings_train.txt",
    kind="file",
    mirror_path="nsmc/ratings_train.txt",
    mirror_subsets=("nsmc/ratings_train.head5000.txt",),
    checksum_source=f"git blob id in {_GIT_TREE}",
)

NSMC_TEST = Resource(
    name="NSMC ratings_test.txt",
    url="https://raw.githubusercontent.com/e9t/nsmc/master/ratings_test.txt",
    checksum="b6cfcd8cd1557bcd9bf06617b0e429ed73e9a367",
    algorithm="git-blob-sha1",
    filename="ratings_test.txt",
    kind="file",
    mirror_path="nsmc/ratings_test.txt",
    mirror_subsets=("nsmc/ratings_test.head25000.txt",),
    checksum_source=f"git blob id in {_GIT_TREE}",
)

FULL_ROWS = {"train": 150_000, "test": 50_000}


class NSMCSplit(NamedTuple):
    """``data`` (:class:`LabelledTexts`), ``path`` read, and ``is_subset`` (a mirror prefix)."""

    data: LabelledTexts
    path: Path
    is_subset: bool


def read_ratings(path: Path) -> LabelledTexts:
    """Parse one ratings file (header ``id document label``, tab-separated, no quoting).

    A few upstream rows have an empty document; they are kept as ``""``.
    """
    texts: list[str] = []
    labels: list[int] = []
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        if header != ["id", "document", "label"]:
            raise ValueError(f"{path}: unexpected header {header}")
        for line, row in enumerate(reader, start=2):
            if len(row) != 3:
                raise ValueError(f"{path}:{line}: expected 3 tab-separated fields, got {len(row)}")
            texts.append(row[1])
            labels.append(int(row[2]))
    return LabelledTexts(texts, np.asarray(labels, dtype=np.int64))


def load_nsmc(split: Literal["train", "test"] = "train", *,
              cache_dir: str | os.PathLike[str] | None = None, progress: bool = True) -> NSMCSplit:
    """One NSMC split: the full file, or the mirror's prefix subset if that is all there is."""
    resources = {"train": NSMC_TRAIN, "test": NSMC_TEST}
    if split not in resources:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    resource = resources[split]
    path = fetch(resource, cache_dir=cache_dir, progress=progress)
    return NSMCSplit(read_ratings(path), path, path.name != resource.filename)
