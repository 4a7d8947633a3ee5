"""The table of contents' part captions, translated (a Sphinx extension).

The sidebar's part captions ("Recurrent networks", "Attention", ...) come from ``_toc.yml``:
sphinx-external-toc inserts them into the root page as ``toctree`` captions in a transform
(priority 100) that runs after Sphinx's translation of the page (``Locale``, priority 20). So
the captions are extracted into the root page's catalog but never replaced, and a translated
edition keeps them in English. This transform runs right after the insertion and looks each
caption up in that same catalog. An English build has no catalog for its language: nothing
changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx import addnodes
from sphinx.locale import init as init_locale
from sphinx.transforms import SphinxTransform
from sphinx.util.i18n import docname_to_domain

INSERT_TOCTREES = 100  # sphinx_external_toc.events.InsertToctrees.default_priority


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
    app.add_transform(TranslateTocCaptions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
