"""``OUT/report.html``: a cohort at a glance, for the instructor, as one offline file.

Built from ``grades.csv`` and ``run.json`` (and the submissions, for similarity): the score
distribution and each test cell's pass rate and scores (matplotlib, embedded as PNG data URIs:
no script, no external file), the most frequent failure messages with the students concerned
(grouped by misconception when a status names one, ``[common mistake: <id>]``), the students
who need a look (missing, unreadable, links, timeouts, crashed or killed sandboxes, grader
errors), and the similarity section (:mod:`course_tools.grader.cohort.similarity`).
"""

from __future__ import annotations

import base64
import html
import io
import re
import sys
from collections import Counter
from pathlib import Path

from course_tools.grader.cohort.run import PROBLEMS, by_student, read_rows, read_run, summary, verdict
from course_tools.grader.protocol.records import Row

MISCONCEPTION = re.compile(r"\[common mistake: (?P<id>[\w.-]+)\]")
LOOK = PROBLEMS + ("timeout", "crashed")  # a status starting so: the student needs a human look
LOOK_WORDS = ("timeout:", "crashed:", "killed by signal", "out of memory", "sandbox was restarted")
TOP_MESSAGES = 25  # failure messages listed
TOP_PAIRS = 100  # rows of each similarity table (a synthetic or template-heavy cohort has thousands)
SHOWN_STUDENTS = 12  # students named per message before "and N more"
HIST_BINS = 10  # bins of the percentage histogram (10 points each)
DPI = 80
STYLE = """body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left;
vertical-align:top}code{font-size:.9em}img{max-width:100%}.small{color:#555;font-size:.9em}"""


def _png(fig) -> str:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight")
    return f"<img alt='plot' src='data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}'>"


def _plots(rows: list[Row]) -> str:
    """The score distribution, and per test cell its pass rate and its scores, as embedded PNGs."""
    from matplotlib.figure import Figure

    students = by_student(rows)
    percents = [
        100 * sum(r.score for r in mine) / (sum(r.max_score for r in mine) or 1) for mine in students.values()
    ]
    cells = list(dict.fromkeys(r.grade_id for r in rows))
    fig = Figure(figsize=(11, 3.2 + 0.25 * len(cells)), layout="constrained")
    left, right = fig.subplots(1, 2)
    left.hist(percents, bins=HIST_BINS, range=(0, 100), color="#4c72b0", edgecolor="white")
    left.set_xlabel("score (% of the maximum)")
    left.set_ylabel("students")
    left.set_title(f"{len(students)} students")
    rates = [
        100 * sum(r.status.startswith("passed") for r in rows if r.grade_id == g) / len(students)
        for g in cells
    ]
    right.barh(cells[::-1], rates[::-1], color="#55a868")
    right.set_xlim(0, 100)
    right.set_xlabel("passed (% of students)")
    right.set_title("pass rate per test cell")
    parts = [_png(fig)]
    cols = min(4, len(cells))
    fig = Figure(figsize=(2.8 * cols, 2.2 * ((len(cells) + cols - 1) // cols)), layout="constrained")
    axes = fig.subplots((len(cells) + cols - 1) // cols, cols, squeeze=False).ravel()
    for ax, gid in zip(axes, cells, strict=False):
        scores = Counter(r.score for r in rows if r.grade_id == gid)
        values = sorted(scores)
        ax.bar([f"{v:g}" for v in values], [scores[v] for v in values], color="#8172b2")
        ax.set_title(gid, fontsize=9)
        ax.set_xlabel("points", fontsize=8)
    for ax in axes[len(cells) :]:
        ax.set_visible(False)
    parts.append(_png(fig))
    return "".join(parts)


def _names(students: list[str]) -> str:
    shown = ", ".join(html.escape(s) for s in students[:SHOWN_STUDENTS])
    return shown + (f" and {len(students) - SHOWN_STUDENTS} more" if len(students) > SHOWN_STUDENTS else "")


def failure_groups(rows: list[Row]) -> list[tuple[str, str, list[str]]]:
    """(test cell, message or misconception, students), most frequent first."""
    groups: dict[tuple[str, str], list[str]] = {}
    for r in rows:
        if r.status.startswith("passed") or verdict(r.status).startswith(PROBLEMS):
            continue
        found = MISCONCEPTION.search(r.status)
        key = f"misconception {found['id']}" if found else verdict(r.status)
        groups.setdefault((r.grade_id, key), []).append(r.student_id)
    return sorted(((g, m, s) for (g, m), s in groups.items()), key=lambda t: (-len(t[2]), t[0], t[1]))


def needs_a_look(rows: list[Row]) -> list[tuple[str, str]]:
    """(student, why) for students whose run went wrong in a way a human should see."""
    out = []
    for student, mine in by_student(rows).items():
        reasons: dict[str, None] = {}
        for r in mine:
            text = verdict(r.status)
            notes = r.status[len(text) :].strip(" []")
            if text.startswith(LOOK):
                reasons[text] = None
            elif any(w in notes for w in LOOK_WORDS):
                reasons.update({n: None for n in notes.split("; ") if any(w in n for w in LOOK_WORDS)})
        if reasons:
            out.append((student, "; ".join(reasons)))
    return out


def _table(header: list[str], body: list[list[str]]) -> str:
    head = "".join(f"<th>{h}</th>" for h in header)
    return (
        f"<table><tr>{head}</tr>"
        + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in body)
        + "</table>"
    )


def _shown(items: list) -> str:  # type: ignore[type-arg]
    return f"; the first {TOP_PAIRS} shown" if len(items) > TOP_PAIRS else ""


def _similarity(root: Path, out: Path, rows: list[Row], submissions: Path | None) -> str:
    from course_tools.grader.cohort import similarity
    from course_tools.grader.cohort.intake import source_cells
    from course_tools.grader.protocol.records import CellKind

    info = read_run(out)
    folder = submissions or (Path(info.submissions) if info and info.submissions else None)
    if info is None or folder is None or not folder.is_dir():
        return (
            "<p>Not computed: the submissions folder is not here "
            "(run <code>course report OUT --submissions DIR</code>).</p>"
        )
    source_dir = root / "solutions" / info.assignment
    notebooks = {
        p.stem: [c.grade_id for c in source_cells(p) if c.kind == CellKind.ANSWER]
        for p in sorted(source_dir.glob("*.ipynb"))
    }
    exercises = [e for ids in notebooks.values() for e in ids]
    answers = similarity.answers_of(folder, sorted(by_student(rows)), notebooks)
    templates = similarity.templates_of(root / "exercises" / info.assignment)
    pairs = similarity.similar_pairs(answers, templates)
    matches = similarity.reference_matches(
        answers, similarity.references_of(root, info.assignment, exercises, info.references), templates
    )
    per_pair: dict[tuple[str, str], list[similarity.Pair]] = {}
    for p in pairs:
        per_pair.setdefault((p.first, p.second), []).append(p)
    ranked = sorted(per_pair.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    parts = [
        f"<p class='small'>Fingerprints by copydetect; near-identical = each answer shares at least "
        f"{similarity.NEAR:.0%} of its fingerprinted code with the other (names and comments normalised, "
        f"the released template removed, answers under {similarity.MIN_TOKENS} characters left out). "
        "A lead for a conversation, not a verdict: scores are never changed.</p>",
        f"<h3>Pairs of students ({len(ranked)}{_shown(ranked)})</h3>",
        _table(
            ["students", "near-identical answers"],
            [
                [
                    f"{html.escape(a)} &amp; {html.escape(b)}",
                    ", ".join(f"{p.exercise} ({p.similarity:.0%})" for p in ps),
                ]
                for (a, b), ps in ranked[:TOP_PAIRS]
            ],
        )
        if ranked
        else "<p>None.</p>",
        f"<h3>Answers matching a published reference ({len(matches)}{_shown(matches)})</h3>",
        _table(
            ["student", "exercise", "matches", "share"],
            [
                [html.escape(m.student), m.exercise, html.escape(m.reference), f"{m.similarity:.0%}"]
                for m in matches[:TOP_PAIRS]
            ],
        )
        if matches
        else "<p>None.</p>",
    ]
    return "".join(parts)


def render(root: Path, out: Path, submissions: Path | None = None) -> str:
    rows = read_rows(out / "grades.csv")
    info = read_run(out)
    title = f"{info.assignment if info else 'grading'}: cohort report"
    students = by_student(rows)
    parts = [
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>",
        f"<p>{len(students)} students" + (f"; {html.escape(info.describe())}" if info else "") + "</p>",
    ]
    if rows:
        parts += ["<h2>Scores</h2>", _plots(rows)]
    look = needs_a_look(rows)
    parts.append(f"<h2>Students who need a look ({len(look)})</h2>")
    parts.append(
        _table(["student", "why"], [[html.escape(s), html.escape(w)] for s, w in look])
        if look
        else "<p>None.</p>"
    )
    groups = failure_groups(rows)
    parts.append(f"<h2>Most frequent failures ({min(len(groups), TOP_MESSAGES)} of {len(groups)})</h2>")
    parts.append(
        _table(
            ["test cell", "message", "students", "who"],
            [
                [f"<code>{html.escape(g)}</code>", html.escape(m), str(len(s)), _names(s)]
                for g, m, s in groups[:TOP_MESSAGES]
            ],
        )
    )
    parts.append("<h2>Similarity</h2>")
    try:
        parts.append(_similarity(root, out, rows, submissions))
    except Exception as exc:  # similarity is a lead for a human; its failure must not cost the report
        parts.append(f"<p>Not computed: {html.escape(type(exc).__name__)}: {html.escape(str(exc))}</p>")
    parts.append("<h2>Every student</h2>")
    parts.append(
        _table(
            ["student", "score", "summary"],
            [
                [
                    html.escape(s),
                    f"{sum(r.score for r in m):g} / {sum(r.max_score for r in m):g}",
                    html.escape(summary(m)),
                ]
                for s, m in students.items()
            ],
        )
    )
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(root: Path, out: Path, submissions: Path | None = None) -> Path:
    """Write ``OUT/report.html`` (``submissions``: where the answers are, if not run.json's); its path."""
    path = out / "report.html"
    tmp = out / "report.html.tmp"
    tmp.write_text(render(root, out, submissions), encoding="utf-8")
    tmp.replace(path)
    return path


def write_report_safely(root: Path, out: Path, command: str = "course grade") -> None:
    """``write_report``, a failure of which costs the report, never the grades."""
    try:
        write_report(root, out)
    except Exception as exc:  # the grades are written; the report is for a human
        print(f"{command}: WARNING: report.html not written ({type(exc).__name__}: {exc})", file=sys.stderr)
