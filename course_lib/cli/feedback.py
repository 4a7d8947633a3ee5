"""Per-student feedback HTML that teaches without leaking the hidden tests.

nbgrader's own ``generate_feedback`` shows the hidden tests' source. Here the autograded
notebook is copied, each test cell's hidden block is replaced by a one-line note, error
tracebacks are cut down to their final ``Error: message`` line, and large outputs are
truncated, before nbconvert renders it. A score table heads the page.
"""
from __future__ import annotations

import copy
import html
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import nbformat

HIDDEN_BLOCK = re.compile(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", re.DOTALL)
HIDDEN_NOTE = "# (more checks run here when the notebook is graded; their code is not shown)"
MAX_TEXT_CHARS = 20_000  # per output: enough for any honest print, bounded for a runaway loop
MAX_IMAGE_BYTES = 2_000_000  # base64 characters of one image


def _truncate(text: str) -> str:
    if len(text) <= MAX_TEXT_CHARS:
        return text
    return text[:MAX_TEXT_CHARS] + f"\n… [output truncated: {len(text):,} characters in all]\n"


def _clean_output(output: dict[str, Any], *, test_cell: bool) -> dict[str, Any] | None:
    output = copy.deepcopy(output)
    kind = output.get("output_type")
    if kind == "stream":
        output["text"] = _truncate("".join(output.get("text", "")))
    elif kind == "error":
        message = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
        output["traceback"] = [_truncate(message)] if test_cell else [_truncate(line) for line in
                                                                       output.get("traceback", [])[-3:]]
    elif kind in {"display_data", "execute_result"}:
        data = output.get("data", {})
        for mime in list(data):
            value = data[mime]
            text = "".join(value) if isinstance(value, list) else str(value)
            if mime.startswith("image/") and len(text) > MAX_IMAGE_BYTES:
                data.pop(mime)
                data.setdefault("text/plain", f"[image of {len(text):,} bytes not shown]")
            elif not mime.startswith("image/"):
                data[mime] = _truncate(text)
    return output


def feedback_notebook(graded: nbformat.NotebookNode, rows: Sequence[Any], title: str) -> nbformat.NotebookNode:
    """A copy of ``graded`` that is safe and useful to show the student."""
    nb = copy.deepcopy(graded)
    total = sum(r.score for r in rows)
    possible = sum(r.max_score for r in rows)
    lines = [f"# Feedback: {html.escape(title)}", "", f"**Score: {total:g} / {possible:g}**", "",
             "| check | score | result |", "|---|---|---|"]
    lines += [f"| `{r.grade_id}` | {r.score:g} / {r.max_score:g} | {html.escape(r.status)} |" for r in rows]
    header = nbformat.v4.new_markdown_cell("\n".join(lines))
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        is_test = bool(meta.get("grade")) and not meta.get("solution")
        if is_test:
            cell.source = HIDDEN_BLOCK.sub(HIDDEN_NOTE, cell.source)
        if cell.cell_type == "code":
            outputs = [_clean_output(o, test_cell=is_test) for o in cell.get("outputs", [])]
            cell.outputs = [o for o in outputs if o is not None]
    nb.cells.insert(0, header)
    return nb


def write_feedback(graded: nbformat.NotebookNode, path: Path, *, title: str, rows: Sequence[Any]) -> Path:
    """Render the feedback notebook to a standalone HTML file at ``path``."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(template_name="lab").from_notebook_node(feedback_notebook(graded, rows, title))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return path
