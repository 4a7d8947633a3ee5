"""course_lib.data.imdb on a tiny fake mirror, and on the real one when it is present."""
from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import data_mirror

from course_lib.data import download
from course_lib.data.imdb import IMDB, IMDB_WORD_INDEX, load_imdb, load_imdb_word_index


@pytest.fixture
def fake_mirror(tmp_path, monkeypatch):
    root = tmp_path / "mirror"
    for split in ("train", "test"):
        for label in ("pos", "neg"):
            folder = root / "imdb" / "aclImdb" / split / label
            folder.mkdir(parents=True)
            for review_id in (10, 2):  # numeric order must put 2 before 10
                (folder / f"{review_id}_7.txt").write_text(f"{split} {label} {review_id}", encoding="utf-8")
    (root / "imdb" / "imdb_word_index.json").write_text(json.dumps({"the": 1, "and": 2}))
    monkeypatch.setenv(download.MIRROR_ENV, str(root))
    return root


def test_load_imdb_orders_negatives_first_by_numeric_id(fake_mirror):
    data = load_imdb("test", progress=False)
    assert data.texts == ["test neg 2", "test neg 10", "test pos 2", "test pos 10"]
    np.testing.assert_array_equal(data.labels, [0, 0, 1, 1])
    assert data.labels.dtype == np.int64


def test_load_imdb_rejects_unknown_split(fake_mirror):
    with pytest.raises(ValueError, match="split"):
        load_imdb("validation", progress=False)  # type: ignore[arg-type]


def test_word_index_from_mirror(fake_mirror):
    assert load_imdb_word_index(progress=False) == {"the": 1, "and": 2}


def test_resources_point_at_the_canonical_homes():
    assert IMDB.url == "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
    assert (IMDB.algorithm, IMDB.kind, IMDB.mirror_path) == ("md5", "tar.gz", "imdb/aclImdb")
    assert IMDB_WORD_INDEX.checksum == "bfafd718b763782e994055a2d397834f"


@pytest.mark.skipif(data_mirror() is None, reason="no data mirror")
def test_real_imdb_counts(monkeypatch):
    monkeypatch.setenv(download.MIRROR_ENV, str(data_mirror()))
    for split in ("train", "test"):
        data = load_imdb(split, progress=False)
        assert len(data.texts) == 25_000
        assert int(data.labels.sum()) == 12_500
    index = load_imdb_word_index(progress=False)
    assert len(index) == 88_584 and index["the"] == 1
    digest = download.file_digest(data_mirror() / IMDB_WORD_INDEX.mirror_path, "md5")
    assert digest == IMDB_WORD_INDEX.checksum
