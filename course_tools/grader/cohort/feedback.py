"""Per-student feedback HTML that teaches without leaking the hidden tests.

The page is built from the judge's records, not from any notebook the student's process
wrote: a score table, then the notebook as graded — the student's cells with their (truncated)
output and errors, and each test cell with its *visible* checks only, the hidden block replaced
by one line, and the verdict. A failed hidden check is described in words
(``hidden check: dWh (against a float64 numerical gradient): wrong values``); its source, the
failing line and the traceback are never shown, nor what the student's code printed while the
hidden checks ran (it could echo the hidden inputs).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import Path

from course_tools.grader.protocol.limits import FEEDBACK_SOURCE_CHARS, FEEDBACK_TEXT_CHARS
from course_tools.grader.protocol.records import CellRecord, Row, StepKind

HIDDEN_BLOCK = re.compile(r"### BEGIN HIDDEN TESTS.*?(### END HIDDEN TESTS|\Z)", re.DOTALL)
HIDDEN_NOTE = "# (more checks run here when the notebook is graded; their code is not shown)"
COLAB_CELL_ID = "colab_setup"  # = course_tools.build.source.COLAB_CELL_ID (a test keeps them equal)
GENERATOR_REPR = re.compile(r"^<torch\._C\.Generator object at 0x[0-9a-fA-F]+>\n?", re.MULTILINE)
STYLE = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
pre{background:#f6f8fa;padding:.6rem;overflow-x:auto;white-space:pre-wrap;border-radius:4px}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}
.pass{color:#1a7f37}.fail{color:#cf222e}.test{border-left:4px solid #0969da;padding-left:.6rem;margin:1rem 0}
.err{background:#fff0f0}"""


def truncate(text: str, limit: int = FEEDBACK_TEXT_CHARS) -> str:
    """``text`` cut to ``limit`` characters with a note saying how much there was.

    >>> truncate("abcdef", 3)
    'abc\\n… [output truncated: 6 characters in all]'
    """
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n… [output truncated: {len(text):,} characters in all]"


def visible_part(source: str) -> str:
    """A test cell's source with its hidden block replaced by a note.

    >>> visible_part("a = 1\\n### BEGIN HIDDEN TESTS\\nsecret()\\n### END HIDDEN TESTS\\n")
    'a = 1\\n# (more checks run here when the notebook is graded; their code is not shown)\\n'
    """
    return HIDDEN_BLOCK.sub(HIDDEN_NOTE, source)


def without_noise(output: str) -> str:
    """A cell's output without the echo of ``torch.manual_seed(...)`` (a Generator's address).

    >>> without_noise("<torch._C.Generator object at 0x7f3a2c1b5e10>\\nloss 0.5\\n")
    'loss 0.5\\n'
    """
    return GENERATOR_REPR.sub("", output)


def _pre(text: str, cls: str = "") -> str:
    return f"<pre class='{cls}'>{html.escape(text)}</pre>" if text else ""


def render(
    title: str, student: str, records: Sequence[CellRecord], rows: Sequence[Row], notes: Sequence[str]
) -> str:
    """The feedback page as one standalone HTML string."""
    total = sum(r.score for r in rows)
    possible = sum(r.max_score for r in rows)
    parts = [
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{STYLE}</style></head><body>",
        f"<h1>Feedback: {html.escape(title)}</h1><p>Student: <code>{html.escape(student)}</code></p>",
        f"<p><strong>Score: {total:g} / {possible:g}</strong></p>",
        "<table><tr><th>check</th><th>score</th><th>result</th></tr>",
    ]
    for r in rows:
        cls = "pass" if r.status.startswith("passed") else "fail"
        parts.append(
            f"<tr><td><code>{html.escape(r.grade_id)}</code></td>"
            f"<td>{r.score:g} / {r.max_score:g}</td>"
            f"<td class='{cls}'>{html.escape(r.status)}</td></tr>"
        )
    parts.append("</table>")
    if notes:
        parts.append(
            "<p>What the grader noticed about your file:</p><ul>"
            + "".join(f"<li>{html.escape(n)}</li>" for n in notes)
            + "</ul>"
        )
    parts.append("<h2>Your notebook as graded</h2>")
    for rec in records:
        if rec.kind == StepKind.STUDENT and rec.label == COLAB_CELL_ID:
            continue  # installs course_lib on Colab; noise on a feedback page
        if rec.kind == StepKind.STUDENT:
            parts.append(_pre(truncate(rec.source, FEEDBACK_SOURCE_CHARS)))
            parts.append(_pre(truncate(without_noise(rec.output))))
            parts.append(_pre(truncate(rec.error), "err"))
            continue
        cls = "pass" if rec.status.startswith("passed") else "fail"
        parts.append(
            f"<div class='test'><p><strong>Check <code>{html.escape(rec.grade_id)}</code></strong> "
            f"({rec.score:g} / {rec.max_score:g}): <span class='{cls}'>{html.escape(rec.status)}</span></p>"
        )
        parts.append(_pre(visible_part(rec.source)))
        parts.append(_pre(truncate(rec.output)))
        if rec.hidden_output_chars:
            parts.append(
                f"<p><em>Your code printed {rec.hidden_output_chars:,} characters during these checks; "
                "they are not shown.</em></p>"
            )
        parts.append("</div>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_feedback(
    path: Path,
    *,
    title: str,
    student: str,
    records: Sequence[CellRecord],
    rows: Sequence[Row],
    notes: Sequence[str] = (),
) -> Path:
    """Write the feedback page for one student's notebook to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(title, student, records, rows, notes), encoding="utf-8")
    return path
