"""Which edition of the book a build makes: ``COURSE_EDITION=reader`` (default) or ``cohort``.

The **reader edition** keeps each graded function's reference implementation in a closed
solution block after the chapter's explanation (``{solution}`` directives of sphinx-exercise).
The **cohort edition** is what an instructor publishes while assignments are open: it leaves
every solution block out (sphinx-exercise's ``hide_solutions``), so no graded answer is on any
page, in the search index or in a downloadable source. ``make book EDITION=cohort`` builds it
into ``_build/cohort/html``, sharing the reader edition's execution cache.

Listed in ``_config.yml``'s extensions after ``sphinx_exercise``.
"""

from __future__ import annotations

import os
from typing import Any

EDITIONS = ("reader", "cohort")
ENV = "COURSE_EDITION"


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


def setup(app: Any) -> dict[str, Any]:
    app.connect("config-inited", _configure, priority=900)  # after sphinx_exercise registers it
    return {"parallel_read_safe": True, "parallel_write_safe": True}
