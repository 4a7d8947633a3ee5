"""Text that extensions add where Sphinx's translation does not look (a Sphinx extension).

**Part captions.** The sidebar's part captions ("Recurrent networks", "Attention", ...) come
from ``_toc.yml``: sphinx-external-toc inserts them into the root page as ``toctree`` captions in a transform
(priority 100) that runs after Sphinx's translation of the page (``Locale``, priority 20). So
the captions are extracted into the root page's catalog but never replaced, and a translated
edition keeps them in English. This transform runs right after the insertion and looks each
caption up in that same catalog. An English build has no catalog for its language: nothing
changes.

**Exercise titles.** sphinx-exercise builds the title of an ``{exercise}`` box
("Implement `rnn_step_forward`") as a subtitle node without a source position, and Sphinx
skips such nodes as built-in text: they are neither extracted nor translated. A transform that
runs before Sphinx's (``Locale``, priority 20) gives each one its position and its MyST text, so
the translated build sees it like any other sentence; and since sphinx-exercise dissolves those
nodes into the box's title before the message extraction (``gettext``) looks, a post-transform
of that builder alone hands each title to the extraction first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.locale import init as init_locale
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.i18n import docname_to_domain

INSERT_TOCTREES = 100  # sphinx_external_toc.events.InsertToctrees.default_priority
LOCALE = 20  # sphinx.transforms.i18n.Locale.default_priority


def myst_text(node: nodes.Element) -> str:
    """The MyST source of an inline title: its text, with code spans in backticks.

    >>> title = nodes.subtitle("", nodes.Text("Implement "), nodes.literal("", "rnn_step_forward"))
    >>> myst_text(title)
    'Implement `rnn_step_forward`'
    """
    return "".join(f"`{child.astext()}`" if isinstance(child, nodes.literal) else child.astext()
                   for child in node.children)


class PlaceExerciseTitles(SphinxTransform):
    default_priority = LOCALE - 1

    def apply(self, **kwargs: Any) -> None:
        for node in _exercise_titles(self.document):
            if node.source:
                continue
            box = node.parent.parent if node.parent is not None else None
            node.source = getattr(box, "source", None) or self.document["source"]
            node.line = getattr(box, "line", None) or 1
            node.rawsource = myst_text(node)


def _exercise_titles(document: nodes.document) -> list[nodes.Element]:
    from sphinx_exercise.nodes import exercise_subtitle, solution_subtitle

    return list(document.findall(lambda n: isinstance(n, (exercise_subtitle, solution_subtitle))))


class ExtractExerciseTitles(SphinxPostTransform):
    """gettext only: each exercise title as a paragraph of its own, where the extraction finds it."""

    default_priority = 19  # before sphinx-exercise's ResolveTitlesInExercises (20) dissolves them
    builders = ("gettext",)

    def run(self, **kwargs: Any) -> None:
        for title in _exercise_titles(self.document):
            if title.rawsource:
                paragraph = nodes.paragraph(title.rawsource, "", *[c.deepcopy() for c in title.children])
                paragraph.source, paragraph.line = title.source, title.line
                paragraph.uid = ""  # type: ignore[attr-defined]  # the catalog skips nodes without one
                self.document += paragraph


class TranslateTocCaptions(SphinxTransform):
    default_priority = INSERT_TOCTREES + 1

    def apply(self, **kwargs: Any) -> None:
        if not self.config.language or self.config.language == "en":
            return
        toctrees = [t for t in self.document.findall(addnodes.toctree) if t.get("caption")]
        if not toctrees:
            return
        domain = docname_to_domain(self.env.docname, self.config.gettext_compact)
        dirs = [str(Path(self.env.srcdir) / d) for d in self.config.locale_dirs]
        catalog, has_catalog = init_locale(dirs, self.config.language, domain)
        if not has_catalog:
            return
        for toctree in toctrees:
            translated = catalog.gettext(toctree["caption"])
            toctree["caption"] = toctree["rawcaption"] = translated


def setup(app: Any) -> dict[str, Any]:
    app.add_transform(PlaceExerciseTitles)
    app.add_transform(TranslateTocCaptions)
    app.add_post_transform(ExtractExerciseTitles)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
