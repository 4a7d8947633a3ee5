"""course_lib.data.reuters: SGML parsing, the ModApte single-label rules, and the real counts."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import data_mirror

from course_lib.data import download
from course_lib.data.reuters import ReutersDoc, load_reuters, modapte_single_label, parse_sgml

SGML = """<!DOCTYPE lewis SYSTEM "lewis.dtd">
<REUTERS TOPICS="YES" LEWISSPLIT="TRAIN" CGISPLIT="TRAINING-SET" OLDID="1" NEWID="7">
<TOPICS><D>cocoa</D></TOPICS>
<TEXT>&#2;
<TITLE>COCOA &lt;UP&gt;</TITLE>
<DATELINE>X, Feb 26 - </DATELINE><BODY>Prices rose.
 Reuter
&#3;</BODY></TEXT>
</REUTERS>
<REUTERS TOPICS="NO" LEWISSPLIT="TEST" CGISPLIT="TRAINING-SET" OLDID="2" NEWID="8">
<TOPICS></TOPICS>
<TEXT TYPE="BRIEF">&#2;
<TITLE>BRIEF ONLY</TITLE>
</TEXT>
</REUTERS>
"""


def test_parse_sgml_reads_attributes_topics_and_text():
    first, second = parse_sgml(SGML)
    assert first == ReutersDoc(7, "TRAIN", "YES", ("cocoa",), "COCOA <UP>\nPrices rose.\n Reuter")
    assert second.topics == () and second.text == "BRIEF ONLY" and second.topics_attr == "NO"


def _doc(i, split, topics, attr="YES"):
    return ReutersDoc(i, split, attr, tuple(topics), f"doc {i}")


def test_modapte_rules():
    docs = [
        _doc(1, "TRAIN", ["a"]), _doc(2, "TRAIN", ["a"]), _doc(3, "TRAIN", ["b"]),
        _doc(4, "TRAIN", ["a", "b"]),            # multi-label: dropped
        _doc(5, "TRAIN", ["a"], attr="NO"),      # TOPICS="NO": not in ModApte
        _doc(6, "NOT-USED", ["a"]),              # not in ModApte
        _doc(7, "TEST", ["a"]), _doc(8, "TEST", ["a"]), _doc(9, "TEST", ["b"]),  # b: 1 test doc
        _doc(10, "TEST", ["c"]), _doc(11, "TEST", ["c"]),  # c: no training doc
    ]
    out = modapte_single_label(docs, min_train=1, min_test=2)
    assert out.topics == ("a",)
    assert out.train.texts == ["doc 1", "doc 2"] and out.test.texts == ["doc 7", "doc 8"]
    out = modapte_single_label(docs, min_train=1, min_test=1)
    assert out.topics == ("a", "b")  # ordered by training frequency
    np.testing.assert_array_equal(out.train.labels, [0, 0, 1])


@pytest.mark.skipif(data_mirror() is None, reason="no data mirror")
def test_real_reuters_46_topics(monkeypatch):
    monkeypatch.setenv(download.MIRROR_ENV, str(data_mirror()))
    data = load_reuters(progress=False)
    assert len(data.topics) == 46
    assert (len(data.train.texts), len(data.test.texts)) == (6_494, 2_562)
    assert data.topics[:2] == ("earn", "acq")
    assert set(np.unique(data.test.labels)) == set(range(46))
    assert np.bincount(data.test.labels, minlength=46).min() >= 2
    assert data.train.texts[0].startswith("BAHIA COCOA REVIEW")
