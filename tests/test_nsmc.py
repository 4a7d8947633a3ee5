"""course_lib.data.nsmc: quote-free TSV reading, the mirror's prefix files, real row counts."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import data_mirror

from course_lib.data import download
from course_lib.data.nsmc import NSMC_TEST, NSMC_TRAIN, load_nsmc, read_ratings


def test_read_ratings_keeps_quotes_literally(tmp_path):
    path = tmp_path / "r.txt"
    path.write_text('id\tdocument\tlabel\n1\t"""최고"" 라는 말\t1\n2\t"별로\t0\n3\t\t0\n', encoding="utf-8")
    data = read_ratings(path)
    assert data.texts == ['"""최고"" 라는 말', '"별로', ""]
    np.testing.assert_array_equal(data.labels, [1, 0, 0])


def test_read_ratings_rejects_bad_rows(tmp_path):
    path = tmp_path / "r.txt"
    path.write_text("id\tdocument\tlabel\n1\tno label\n", encoding="utf-8")
    with pytest.raises(ValueError, match="r.txt:2"):
        read_ratings(path)
    path.write_text("a\tb\n", encoding="utf-8")
    with pytest.raises(ValueError, match="header"):
        read_ratings(path)


def test_full_file_in_mirror_is_preferred(tmp_path, monkeypatch):
    (tmp_path / "nsmc").mkdir()
    full = "id\tdocument\tlabel\n1\t좋아요\t1\n"
    (tmp_path / "nsmc" / "ratings_test.txt").write_text(full, encoding="utf-8")
    (tmp_path / "nsmc" / "ratings_test.head25000.txt").write_text("id\tdocument\tlabel\n", encoding="utf-8")
    monkeypatch.setenv(download.MIRROR_ENV, str(tmp_path))
    split = load_nsmc("test", progress=False)
    assert not split.is_subset and split.data.texts == ["좋아요"]


def test_checksums_are_git_blob_ids():
    assert NSMC_TRAIN.algorithm == NSMC_TEST.algorithm == "git-blob-sha1"
    assert NSMC_TRAIN.url.endswith("e9t/nsmc/master/ratings_train.txt")


@pytest.mark.skipif(data_mirror() is None, reason="no data mirror")
def test_real_prefix_files(monkeypatch):
    monkeypatch.setenv(download.MIRROR_ENV, str(data_mirror()))
    train, test = load_nsmc("train", progress=False), load_nsmc("test", progress=False)
    assert train.is_subset and test.is_subset
    assert (len(train.data.texts), len(test.data.texts)) == (5_000, 25_000)
    assert (int(train.data.labels.sum()), int(test.data.labels.sum())) == (2_499, 12_548)
    assert test.data.texts[0] == "굳 ㅋ"
