"""Which edition of the book a build makes: ``COURSE_EDITION=reader`` (default) or ``cohort``.

The **reader edition** keeps each graded function's reference implementation in a closed
solution block after the chapter's explanation (``{solution}`` directives of sphinx-exercise).
The **cohort edition** is what an instructor publishes while assignments are open: it leaves
every solution block out (sphinx-exercise's ``hide_solutions``), so no graded answer is on any
page, in the search index or in a downloadable source; a chapter's "Solutions" section, left
empty, says when its solutions appear instead. ``make book EDITION=cohort`` builds it into
``_build/cohort/_build/html``, sharing the reader edition's execution cache, so it executes
nothing. ``tests/test_book_editions.py`` builds it and looks for every line of every graded
solution in everything it publishes.

Listed in ``_config.yml``'s extensions after ``sphinx_exercise``.
"""

from __future__ import annotations

import os
from typing import Any

EDITIONS = ("reader", "cohort")
ENV = "COURSE_EDITION"
SOLUTIONS_TITLE = "Solutions"  # the closing section of a chapter that holds its solution blocks
SOLUTIONS_ID = "solutions"  # the section's id, which a translated title keeps
COHORT_NOTES = {  # by the build's language
    "en": "The reference solutions to this chapter's exercises are not part of this edition of the "
    "book: your course publishes them once the assignment is closed.",
    "ko": "이 장 연습 문제의 참조 풀이는 이 판에 들어 있지 않다. 과제가 마감되면 강의에서 공개한다.",
}
COHORT_NOTE = COHORT_NOTES["en"]


def edition() -> str:
    """The edition this process builds, from ``COURSE_EDITION`` (``reader`` when unset).

    >>> os.environ.pop(ENV, None) and None
    >>> edition()
    'reader'
    """
    value = os.environ.get(ENV, "reader").strip().lower() or "reader"
    if value not in EDITIONS:
        raise ValueError(f"{ENV}={value!r}: the book has the editions {', '.join(EDITIONS)}")
    return value


def _configure(app: Any, config: Any) -> None:
    config.hide_solutions = edition() == "cohort"


def _note_where_solutions_were(app: Any, doctree: Any) -> None:
    """``doctree-read``, cohort edition: a "Solutions" section whose blocks were left out keeps
    its heading (links to it still work) and says why it is empty instead of what it held."""
    from docutils import nodes

    if not app.config.hide_solutions:
        return
    for section in list(doctree.findall(nodes.section)):
        title = section.next_node(nodes.title)
        if title is None:
            continue
        if title.astext().strip() != SOLUTIONS_TITLE and SOLUTIONS_ID not in section["ids"]:
            continue  # neither the English title nor, in a translation, the section's id
        language = (app.config.language or "en").split("_")[0]
        note = COHORT_NOTES.get(language, COHORT_NOTE)
        subsections = [child for child in section.children if isinstance(child, nodes.section)]
        section.children = [title, nodes.paragraph(text=note), *subsections]
        for child in section.children:
            child.parent = section


def setup(app: Any) -> dict[str, Any]:
    app.connect("config-inited", _configure, priority=900)  # after sphinx_exercise registers it
    app.connect("doctree-read", _note_where_solutions_were)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
