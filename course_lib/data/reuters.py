"""Reuters-21578 newswire topics, ModApte split, single-label documents, 46 topics.

Keras' ``reuters.npz`` (11,228 wires, 46 topics) was built by a script Keras no longer ships,
so we rebuild a task of the same shape from the SGML distribution, by stated rules:

1. **ModApte split** (README section VIII.B): a document is in *train* if
   ``LEWISSPLIT="TRAIN"`` and ``TOPICS="YES"`` (9,603 documents), in *test* if
   ``LEWISSPLIT="TEST"`` and ``TOPICS="YES"`` (3,299); every other document is unused.
2. **Single-label**: keep documents with exactly one ``<TOPICS>`` entry (6,552 train,
   2,581 test). Multi-label wires have no single right answer for a softmax.
3. **Topics**: keep a topic if it labels at least one single-label training document and at
   least two single-label test documents (:data:`MIN_TRAIN_DOCS`, :data:`MIN_TEST_DOCS`).
   Of the 66 topics that occur, 46 pass; the result has **6,494 train and 2,562 test**
   documents. Requiring test examples keeps every class measurable; the thresholds were picked
   to give Keras' 46 classes (one per train + one per test gives 52, Apté's original rule).
4. **Text** = ``TITLE`` + ``BODY`` with SGML entities decoded; label ids are ordered by
   training frequency (0 = ``earn``, 1 = ``acq``, ...), ties by name.
"""
from __future__ import annotations

import html
import os
import re
from collections import Counter
from pathlib import Path
from typing import Literal, NamedTuple

import numpy as np

from course_lib.data.download import Resource, fetch
from course_lib.data.keras_text import LabelledTexts

REUTERS = Resource(
    name="Reuters-21578, Distribution 1.0",
    url="https://kdd.ics.uci.edu/databases/reuters21578/reuters21578.tar.gz",
    checksum="a22faadd7dde0dfdd784e60087209aa6",
    algorithm="md5",
    filename="reuters21578.tar.gz",
    kind="tar.gz",
    mirror_path="reuters21578",
    archive_root="",  # the archive's files sit at its top level
    checksum_source=(
        "md5 asserted by anacrolix/various algorithms/benchmark/reuters.py for David Lewis' copy, "
        "which his page says is identical to UCI's; not published by UCI"
    ),
)

NUM_SGML_FILES = 22  # reut2-000.sgm ... reut2-021.sgm
MIN_TRAIN_DOCS = 1
MIN_TEST_DOCS = 2

_DOC = re.compile(r"<REUTERS([^>]*)>(.*?)</REUTERS>", flags=re.DOTALL)
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_TOPICS = re.compile(r"<TOPICS>(.*?)</TOPICS>", flags=re.DOTALL)
_D = re.compile(r"<D>(.*?)</D>")
_TITLE = re.compile(r"<TITLE>(.*?)</TITLE>", flags=re.DOTALL)
_BODY = re.compile(r"<BODY>(.*?)</BODY>", flags=re.DOTALL)


class ReutersDoc(NamedTuple):
    """One parsed wire: ``new_id``, ``lewis_split``, ``topics_attr`` (YES/NO/BYPASS), ``topics``, ``text``."""

    new_id: int
    lewis_split: str
    topics_attr: str
    topics: tuple[str, ...]
    text: str


def parse_sgml(text: str) -> list[ReutersDoc]:
    """All ``<REUTERS>`` documents in one SGML file's text."""
    docs = []
    for attrs, body in _DOC.findall(text):
        a = dict(_ATTR.findall(attrs))
        topics_block = _TOPICS.search(body)
        topics = tuple(_D.findall(topics_block.group(1))) if topics_block else ()
        parts = [m.group(1) for m in (_TITLE.search(body), _BODY.search(body)) if m]
        clean = html.unescape("\n".join(parts)).replace("\x03", "").strip()
        docs.append(ReutersDoc(int(a["NEWID"]), a["LEWISSPLIT"], a["TOPICS"], topics, clean))
    return docs


def read_collection(folder: Path) -> list[ReutersDoc]:
    """Every document of the 22 ``reut2-*.sgm`` files (21,578 of them), in NEWID order."""
    files = sorted(folder.glob("reut2-*.sgm"))
    if len(files) != NUM_SGML_FILES:
        raise FileNotFoundError(
            f"expected {NUM_SGML_FILES} reut2-*.sgm files in {folder}, found {len(files)}")
    docs: list[ReutersDoc] = []
    for path in files:
        docs.extend(parse_sgml(path.read_text(encoding="latin-1")))  # the files predate UTF-8
    return sorted(docs, key=lambda d: d.new_id)


class ReutersSplits(NamedTuple):
    """``train`` and ``test`` :class:`LabelledTexts`, and ``topics`` (label id -> name)."""

    train: LabelledTexts
    test: LabelledTexts
    topics: tuple[str, ...]


def modapte_single_label(docs: list[ReutersDoc], *, min_train: int = MIN_TRAIN_DOCS,
                         min_test: int = MIN_TEST_DOCS) -> ReutersSplits:
    """Apply rules 1-4 of the module docstring to parsed documents."""
    def split_of(d: ReutersDoc) -> Literal["train", "test", ""]:
        if d.topics_attr != "YES":
            return ""
        return {"TRAIN": "train", "TEST": "test"}.get(d.lewis_split, "")  # type: ignore[return-value]

    single = [(split_of(d), d) for d in docs if split_of(d) and len(d.topics) == 1]
    train_counts = Counter(d.topics[0] for s, d in single if s == "train")
    test_counts = Counter(d.topics[0] for s, d in single if s == "test")
    kept = [t for t in train_counts if train_counts[t] >= min_train and test_counts[t] >= min_test]
    topics = tuple(sorted(kept, key=lambda t: (-train_counts[t], t)))
    label = {t: i for i, t in enumerate(topics)}
    out = {}
    for name in ("train", "test"):
        chosen = [d for s, d in single if s == name and d.topics[0] in label]
        out[name] = LabelledTexts([d.text for d in chosen],
                                  np.asarray([label[d.topics[0]] for d in chosen], dtype=np.int64))
    return ReutersSplits(out["train"], out["test"], topics)


def load_reuters(*, cache_dir: str | os.PathLike[str] | None = None,
                 progress: bool = True) -> ReutersSplits:
    """The 46-topic single-label ModApte task: 6,494 train and 2,562 test wires."""
    return modapte_single_label(read_collection(fetch(REUTERS, cache_dir=cache_dir, progress=progress)))
