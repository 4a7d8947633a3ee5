"""Tables of computed results that a notebook, the book and a terminal all show properly.

A code cell that ends with a :class:`Table` displays it as an HTML table (Jupyter, Colab and
the book call ``_repr_html_``); ``print`` or a plain console shows aligned text. Pipe-table
Markdown built at run time would not do: the book shows it as raw text.

>>> table = Table(["model", "loss"], [["RNN", 0.5], ["LSTM <big>", 0.25]], code_columns=[0])
>>> print(table)
model      | loss
---------- | ----
RNN        | 0.5
LSTM <big> | 0.25
>>> "<code>LSTM &lt;big&gt;</code>" in table._repr_html_()
True
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence


class Table:
    """A header and rows of cells; numbers are shown with ``str``, so format them first.

    Args:
        header: the column titles.
        rows: one sequence of cells per row, as many cells as ``header`` has.
        code_columns: indices of the columns whose cells are code (shown in ``<code>``).
        align_right: indices of the columns aligned right (numbers, say).
    """

    def __init__(
        self,
        header: Sequence[str],
        rows: Iterable[Sequence[object]],
        *,
        code_columns: Iterable[int] = (),
        align_right: Iterable[int] = (),
    ) -> None:
        self.header = [str(cell) for cell in header]
        self.rows = [[str(cell) for cell in row] for row in rows]
        for row in self.rows:
            if len(row) != len(self.header):
                raise ValueError(f"a row has {len(row)} cells, the header {len(self.header)}: {row}")
        self.code_columns = set(code_columns)
        self.align_right = set(align_right)

    def _cell(self, tag: str, column: int, text: str) -> str:
        content = html.escape(text)
        if tag == "td" and column in self.code_columns:
            content = f"<code>{content}</code>"
        style = ' style="text-align: right"' if column in self.align_right else ""
        return f"<{tag}{style}>{content}</{tag}>"

    def _repr_html_(self) -> str:
        head = "".join(self._cell("th", j, cell) for j, cell in enumerate(self.header))
        body = "".join(
            "<tr>" + "".join(self._cell("td", j, cell) for j, cell in enumerate(row)) + "</tr>"
            for row in self.rows
        )
        return f'<table class="table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'

    def __str__(self) -> str:
        widths = [max(len(row[j]) for row in [self.header, *self.rows]) for j in range(len(self.header))]

        def line(cells: Sequence[str]) -> str:
            return " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

        rule = " | ".join("-" * width for width in widths)
        return "\n".join([line(self.header), rule, *(line(row) for row in self.rows)])

    def __repr__(self) -> str:
        return str(self)
