"""course_lib.data.corpora: wiki markup removal, positional split, the real corpora."""
from __future__ import annotations

import pytest
from conftest import data_mirror

from course_lib.data import download
from course_lib.data.corpora import clean_wikitext, load_text, split_by_position

WIKI = """{{머리말
 | title    = [[무정]]
 | next     = [[무정/21장~40장]]
 | notes    = 줄거리 {{안쪽|틀}}
}}
{{문단 그림}}

경성학교 영어 교사 '''이형식'''은 [[서울|경성]]에 <span>산다</span>.



== 2 ==
{{문단 그림}}
둘째 줄.
"""


def test_clean_wikitext_strips_templates_links_tags_and_blank_runs():
    assert clean_wikitext(WIKI) == "경성학교 영어 교사 이형식은 경성에 산다.\n\n2\n\n둘째 줄.\n"


@pytest.mark.parametrize("fraction", [0.1, 0.25, 0.5])
def test_split_by_position(fraction):
    text = "abcdefghijklmnopqrst"
    train, val = split_by_position(text, fraction)
    assert train + val == text and len(val) == round(len(text) * fraction)


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.1])
def test_split_by_position_rejects_bad_fraction(fraction):
    with pytest.raises(ValueError, match="val_fraction"):
        split_by_position("abc", fraction)


def test_unknown_corpus():
    with pytest.raises(ValueError, match="tinyshakespeare"):
        load_text("war-and-peace")


def test_mujeong_without_mirror_gives_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv(download.MIRROR_ENV, raising=False)
    monkeypatch.setattr(download, "_open_url", lambda url: (_ for _ in ()).throw(OSError("offline")))
    with pytest.raises(download.DataUnavailableError, match="COURSE_DATA_MIRROR"):
        load_text("mujeong", cache_dir=tmp_path, progress=False)


@pytest.mark.skipif(data_mirror() is None, reason="no data mirror")
def test_real_corpora(monkeypatch):
    monkeypatch.setenv(download.MIRROR_ENV, str(data_mirror()))
    shakespeare = load_text("tinyshakespeare", progress=False)
    assert len(shakespeare) == 1_115_394 and shakespeare.startswith("First Citizen:")
    mujeong = load_text("mujeong", progress=False)
    assert mujeong.startswith("경성학교 영어 교사 이형식은")
    assert not any(mark in mujeong for mark in ("{{", "}}", "[[", "]]", "머리말"))
    assert 50_000 < len(mujeong) < 53_562
