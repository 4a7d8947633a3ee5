"""course_lib.tables.Table: what the book shows for a table computed at run time."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from course_lib.tables import Table


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[tuple[str, str]]] = []
        self._tag: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._tag = tag
            self.rows[-1].append((tag, ""))

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._tag = None

    def handle_data(self, data):
        if self._tag:
            tag, text = self.rows[-1][-1]
            self.rows[-1][-1] = (tag, text + data)


def test_html_has_a_header_row_and_one_row_per_row_with_escaped_text():
    table = Table(["arguments", "h_n"], [["bias=False", "(1, 3, 4)"], ["a < b & c", "x"]], code_columns=[0])
    parser = _Cells()
    parser.feed(table._repr_html_())
    assert parser.rows == [
        [("th", "arguments"), ("th", "h_n")],
        [("td", "bias=False"), ("td", "(1, 3, 4)")],
        [("td", "a < b & c"), ("td", "x")],
    ]
    assert "<code>a &lt; b &amp; c</code>" in table._repr_html_()
    assert "|" not in table._repr_html_(), "no pipe-table text"


def test_right_aligned_columns_and_plain_text():
    table = Table(["module", "parameters"], [["nn.RNN", "1,000"], ["nn.LSTM", "4,000"]], align_right=[1])
    assert table._repr_html_().count('style="text-align: right"') == 3  # the header and two cells
    assert str(table).splitlines() == ["module  | parameters", "------- | ----------",
                                       "nn.RNN  | 1,000", "nn.LSTM | 4,000"]


def test_a_row_of_the_wrong_width_is_refused():
    with pytest.raises(ValueError, match="2 cells"):
        Table(["a"], [["x", "y"]])
