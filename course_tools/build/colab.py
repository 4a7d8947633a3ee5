"""Colab twins: a plain ``.ipynb`` of each chapter, for the book's Colab launch button.

Colab opens only ``.ipynb`` files from GitHub, and the chapters are MyST Markdown
(``book/03_bptt.md``). So each chapter has a committed, unexecuted twin,
``book/colab/03_bptt.ipynb``, made by ``course build-colab`` (``--check`` only reports stale
ones; ``tests/test_colab_notebooks.py`` fails when a twin is out of date). A twin is the
chapter read by jupytext, plus:

- a first code cell that, only on Colab, installs ``course_lib`` from the repository named in
  ``_config.yml`` (``repository.url`` at ``repository.branch``), with ``--no-deps``: Colab
  already has the few packages the chapters use (:data:`COLAB_PROVIDES`), and the course's exact
  pins would replace Colab's PyTorch;
- Markdown a plain notebook can show: each ``{literalinclude}`` becomes the code it includes
  (read by Sphinx's own reader, so it matches the book), ``{doc}`` the title of the page it
  names (a link to Colab for an exercise notebook), ``{cite:p}`` / ``{cite:t}`` "(Author,
  year)" from the bibliography, an ``{exercise}`` box a quoted paragraph, a closed
  ``{admonition}`` (a check-yourself answer) an HTML ``<details>`` block, and a ``{graphviz}``
  diagram its ``:alt:`` text (Colab cannot draw Graphviz);
- no ``{solution}`` block: a graded function's reference implementation stays out of the
  twin, as it stays out of the book's running text (``course_tools.build.edition``), and so
  does the chapter's closing "Solutions" section that holds them.

Listed in ``_config.yml``'s extensions, this module also points each chapter page's Colab
button at the twin (sphinx-book-theme would link the ``.md`` file) and warns, which fails the
``-W`` build, when a chapter has no twin.
"""

from __future__ import annotations

import codecs
import re
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from course_tools.build.book_cache import toc_pages

TWIN_FOLDER = "colab"  # a chapter's twin: <chapter's folder>/colab/<chapter>.ipynb
# Third-party packages that the chapters and the course_lib modules they import may use: the
# ones Colab has preinstalled (tests/test_colab_notebooks.py checks the chapters keep to them).
COLAB_PROVIDES = ("IPython", "matplotlib", "numpy", "torch", "tqdm")
# {literalinclude} options that choose the lines (passed to Sphinx's reader); the others
# (caption, linenos, emphasize-lines, ...) only change how the book shows them.
_CONTENT_OPTIONS = {"pyobject", "lines", "start-after", "start-at", "end-before", "end-at",
                    "dedent", "prepend", "append", "tab-width", "encoding"}
_INT_OPTIONS = {"dedent", "tab-width"}
# A fenced block: ```lang or ```{directive} argument, its body, the closing fence.
_FENCE = re.compile(
    r"^(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$", re.M | re.S
)
_DIRECTIVE = re.compile(r"^\{(?P<name>[\w:-]+)\}\s*(?P<argument>.*)$")
_OPTION = re.compile(r"^:(?P<name>[\w-]+):\s*(?P<value>.*)$")
_ROLE = re.compile(r"\{(?P<name>[A-Za-z][\w:-]*)\}`(?P<body>[^`]+)`")
_EXPLICIT_TARGET = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)
# A chapter's closing "## Solutions" section, up to the next heading of its level or above.
_SOLUTIONS_SECTION = re.compile(r"^## Solutions[ \t]*\n.*?(?=^#{1,2} |\Z)", re.M | re.S)


# ---------------------------------------------------------------------------- which chapters


def twin_of(chapter: Path) -> Path:
    """``book/03_bptt.md`` -> ``book/colab/03_bptt.ipynb``."""
    return chapter.parent / TWIN_FOLDER / f"{chapter.stem}.ipynb"


def is_notebook_page(page: Path) -> bool:
    """Whether a MyST Markdown page is a notebook: its front matter names a kernel."""
    import yaml

    text = page.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        return False
    front = yaml.safe_load(text[4 : text.find("\n---", 4)]) or {}
    return isinstance(front, dict) and "kernelspec" in front


def chapters(root: Path) -> list[Path]:
    """The ``.md`` notebooks that ``_toc.yml`` lists: the pages that need a twin."""
    return [page for page in toc_pages(root) if page.suffix == ".md" and is_notebook_page(page)]


def _config(root: Path) -> dict[str, Any]:
    import yaml

    return yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")) or {}


# ---------------------------------------------------------------------------- making a twin


def install_cell(root: Path) -> str:
    """Code that, only on Colab, installs course_lib from the repository in ``_config.yml``."""
    repository = _config(root).get("repository") or {}
    if not repository.get("url") or not repository.get("branch"):
        raise ValueError("_config.yml: set repository.url and repository.branch (README.md, Publishing)")
    url, branch = repository["url"].rstrip("/"), repository["branch"]
    provides = ", ".join(COLAB_PROVIDES[:-1]) + f" and {COLAB_PROVIDES[-1]}"
    return f'''\
# On Colab, first install the course's library, course_lib, from the course's repository.
# --no-deps keeps Colab's own {provides}, the only other packages the
# course uses (the course's exact pins would replace Colab's PyTorch), and
# --ignore-requires-python lets it install on a Python newer than the 3.11 the course pins.
# Anywhere else this cell does nothing: set up the course's environment as its README says.
import subprocess
import sys

if "google.colab" in sys.modules:
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--ignore-requires-python",
         "course-lib @ git+{url}@{branch}"],
        check=True,
    )'''


def setup_cell(root: Path, chapter: Path) -> str:
    """The twin's first cell: on Colab only, install course_lib from the repository."""
    source = chapter.relative_to(root).as_posix()
    return (f"# Generated from {source} by `course build-colab`: edit the chapter, not this notebook.\n"
            + install_cell(root))


def _included_code(chapter: Path, path: str, options_text: str) -> str:
    """What ``{literalinclude} path`` with ``options_text`` shows, read as Sphinx reads it."""
    from sphinx.directives.code import LiteralIncludeReader

    options: dict[str, Any] = {}
    for line in options_text.splitlines():
        name, _, value = line.strip()[1:].partition(":")
        if name in _CONTENT_OPTIONS:
            options[name] = int(value) if name in _INT_OPTIONS else value.strip()
    config = SimpleNamespace(source_encoding="utf-8-sig")
    reader = LiteralIncludeReader(str(chapter.parent / path), options, config)  # type: ignore[arg-type]
    return reader.read()[0].rstrip("\n")


def _page_title(page: Path) -> str:
    """A page's first ``# `` heading (its title in the book)."""
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    raise ValueError(f"{page} has no '# ' title")


def _doc_title(body: str, chapter: Path, root: Path) -> str:
    """The text a ``{doc}`` role shows: its explicit text, or the title of the page it names."""
    explicit = _EXPLICIT_TARGET.match(body)
    if explicit:
        return explicit["text"]
    return _page_title(_doc_target(body, chapter, root).with_suffix(".md"))


def _doc_target(body: str, chapter: Path, root: Path) -> Path:
    """The page a ``{doc}`` role names, without suffix (``{doc}`x <../exercises/a1/nb>``)."""
    explicit = _EXPLICIT_TARGET.match(body)
    target = explicit["target"] if explicit else body
    return root / target.lstrip("/") if target.startswith("/") else (chapter.parent / target).resolve()


def _colab_link(notebook: Path, root: Path) -> str:
    """Colab's URL for a notebook of the repository named in ``_config.yml``."""
    config = _config(root)
    repository = (config.get("repository") or {}).get("url", "").rstrip("/")
    branch = (config.get("repository") or {}).get("branch", "")
    colab = (config.get("launch_buttons") or {}).get("colab_url", "https://colab.research.google.com")
    github = repository.removeprefix("https://github.com/")
    return f"{colab.rstrip('/')}/github/{github}/blob/{branch}/{notebook.relative_to(root).as_posix()}"


class Bibliography:
    """Author-year labels for ``{cite:p}`` and ``{cite:t}``, as the book shows them."""

    def __init__(self, files: list[Path]) -> None:
        from pybtex.database import parse_file

        self.entries: dict[str, Any] = {}
        for path in files:
            self.entries.update(parse_file(str(path)).entries)

    @staticmethod
    def _plain(latex: str) -> str:
        import latexcodec  # noqa: F401  (registers the "ulatex" codec)

        plain: str = codecs.decode(latex, "ulatex")  # type: ignore[call-overload]  # str -> str
        return plain.replace("{", "").replace("}", "")

    def parts(self, key: str) -> tuple[str, str]:
        """(who, year): "Bengio et al." or the entry's title in italics, and the year or n.d."""
        if key not in self.entries:
            raise KeyError(f"citation {key!r} is not in the bibliography")
        entry = self.entries[key]
        authors = entry.persons.get("author", [])
        names = [self._plain(" ".join(p.prelast_names + p.last_names)) for p in authors]
        if not names:
            who = f"*{self._plain(entry.fields['title'])}*"
        elif len(names) == 1:
            who = names[0]
        elif len(names) == 2:
            who = f"{names[0]} and {names[1]}"
        else:
            who = f"{names[0]} et al."
        return who, entry.fields.get("year", "n.d.")

    def cite(self, keys: str, textual: bool) -> str:
        parts = [self.parts(key.strip()) for key in keys.split(",")]
        if textual:
            return "; ".join(f"{who} ({year})" for who, year in parts)
        return "(" + "; ".join(f"{who}, {year}" for who, year in parts) + ")"


def plain_markdown(text: str, chapter: Path, root: Path, bibliography: Bibliography) -> str:
    """A Markdown cell of a chapter, with the MyST the book uses turned into plain Markdown.

    Raises ``ValueError`` for a role or directive it does not know, rather than leave MyST that
    Colab would show as raw text. Fenced code (```bash ...) is left as it is.
    """

    def role(match: re.Match[str]) -> str:
        name, body = match["name"], match["body"]
        if name == "doc":
            notebook = _doc_target(body, chapter, root).with_suffix(".ipynb")
            if notebook.is_file() and not notebook.with_suffix(".md").is_file():  # an exercise
                return f"[{_doc_title(body, chapter, root)}]({_colab_link(notebook, root)})"
            return f"*{_doc_title(body, chapter, root)}*"
        if name in ("cite:p", "cite:t"):
            return bibliography.cite(body, textual=name == "cite:t")
        raise ValueError(f"{chapter.name}: the Colab twin cannot show the MyST role {{{name}}}")

    pieces, done = [], 0
    for fence in _FENCE.finditer(text):
        pieces.append(_ROLE.sub(role, text[done : fence.start()]))
        directive = _DIRECTIVE.match(fence["info"].strip())
        if directive is None:
            pieces.append(fence.group(0))
        elif directive["name"] == "literalinclude":
            options = "".join(line for line in fence["body"].splitlines(True) if line.strip())
            code = _included_code(chapter, directive["argument"].strip(), options)
            pieces.append(f"```python\n{code}\n```")
        else:
            name, argument = directive["name"], directive["argument"].strip()
            settings, body = _split_options(fence["body"])
            if name == "solution":
                pass  # a reference implementation: never in the twin
            elif name == "exercise":
                inner = plain_markdown(body, chapter, root, bibliography).strip()
                quoted = "\n".join(f"> {line}" if line else ">" for line in inner.splitlines())
                pieces.append(f"> **Exercise: {_ROLE.sub(role, argument)}**\n>\n{quoted}")
            elif name == "admonition" and "dropdown" in settings.get("class", "").split():
                inner = plain_markdown(body, chapter, root, bibliography).strip()
                summary = _ROLE.sub(role, argument)
                pieces.append(f"<details>\n<summary>{summary}</summary>\n\n{inner}\n\n</details>")
            elif name == "graphviz":
                if not settings.get("alt"):
                    raise ValueError(f"{chapter.name}: give each {{graphviz}} diagram an :alt: text")
                pieces.append(f"*Diagram (drawn in the book): {settings['alt']}*")
            else:
                raise ValueError(f"{chapter.name}: the Colab twin cannot show the directive {{{name}}}")
        done = fence.end()
    pieces.append(_ROLE.sub(role, text[done:]))
    return "".join(pieces)


def _split_options(body: str) -> tuple[dict[str, str], str]:
    """A directive's leading ``:name: value`` lines, and the content after them."""
    lines = body.splitlines(True)
    options = {}
    while lines and (option := _OPTION.match(lines[0].strip())):
        options[option["name"]] = option["value"].strip()
        lines.pop(0)
    return options, "".join(lines)


def make_twin(root: Path, chapter: Path) -> str:
    """The twin of ``chapter`` as the text of an ``.ipynb`` file (deterministic)."""
    import jupytext
    import nbformat

    from course_tools.build.notebook import normalise

    root, chapter = root.resolve(), chapter.resolve()
    bib_files = [root / name for name in _config(root).get("bibtex_bibfiles", [])]
    bibliography = Bibliography(bib_files)
    nb = jupytext.read(chapter, fmt="md:myst")
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = _SOLUTIONS_SECTION.sub("", plain_markdown(cell.source, chapter, root, bibliography))
            cell.source = cell.source.rstrip("\n")
    nb.cells = [cell for cell in nb.cells if cell.cell_type != "markdown" or cell.source.strip()]
    nb.cells.insert(0, nbformat.v4.new_code_cell(setup_cell(root, chapter)))
    nb = normalise(nb, name=f"{TWIN_FOLDER}/{chapter.stem}")
    return nbformat.writes(nb) + "\n"


def build_twins(root: Path, *, check: bool = False) -> list[Path]:
    """Write (or with ``check``, compare) every chapter's twin; return the stale ones.

    A twin whose chapter has left the toc is stale too: it is deleted (or reported).
    """
    root = root.resolve()
    stale = []
    wanted = {twin_of(chapter): chapter for chapter in chapters(root)}
    for twin, chapter in wanted.items():
        text = make_twin(root, chapter)
        if not twin.is_file() or twin.read_text(encoding="utf-8") != text:
            stale.append(twin)
            if not check:
                twin.parent.mkdir(parents=True, exist_ok=True)
                twin.write_text(text, encoding="utf-8")
    folders = {twin.parent for twin in wanted} | {root / "book" / TWIN_FOLDER}
    orphans = [p for folder in folders for p in sorted(folder.glob("*.ipynb")) if p not in wanted]
    stale += orphans
    for twin in stale:
        done = "out of date" if check else ("deleted" if twin in orphans else "wrote")
        print(f"{done}: {twin.relative_to(root)}", file=sys.stderr)
        if twin in orphans and not check:
            twin.unlink()
    if check and stale:
        print("run: course build-colab", file=sys.stderr)
    return stale


# ---------------------------------------------------------------------------- Sphinx hook


def _colab_button_to_twin(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """``html-page-context``, after sphinx-book-theme's launch buttons: Colab opens the twin."""
    from sphinx.util import logging

    source = Path(app.env.doc2path(pagename))
    if source.suffix != ".md":
        return
    for group in context.get("header_buttons", []):
        if group.get("label") != "launch-buttons":
            continue
        for button in group.get("buttons", []):
            if button.get("text") != "Colab":
                continue
            twin = twin_of(source)
            linked = f"{pagename}{source.suffix}"  # the theme's link ends with the page's path
            if not twin.is_file():
                logging.getLogger(__name__).warning(
                    f"{pagename}: no Colab notebook {twin.relative_to(app.srcdir)}; run `course build-colab`",
                    location=pagename,
                )
            elif not button["url"].endswith(linked):
                logging.getLogger(__name__).warning(
                    f"{pagename}: unexpected Colab link {button['url']}", location=pagename
                )
            else:
                twin_path = twin.relative_to(app.srcdir).as_posix()
                button["url"] = button["url"][: -len(linked)] + twin_path


def _depend_on_twin(app: Any, doctree: Any) -> None:
    """``doctree-read``: a chapter depends on its twin, so that Sphinx writes the page again
    (and links the twin) once the twin is made, even though the chapter did not change."""
    source = Path(app.env.doc2path(app.env.docname))
    if source.suffix == ".md" and is_notebook_page(source):
        app.env.note_dependency(str(twin_of(source)))


def setup(app: Any) -> dict[str, Any]:
    """Sphinx extension: point each Markdown chapter's Colab button at its twin."""
    app.connect("doctree-read", _depend_on_twin)
    app.connect("html-page-context", _colab_button_to_twin, priority=510)  # the theme's run at 501
    # env_version: raise it when what the hooks record changes, so Sphinx reads every page again
    return {"env_version": 1, "parallel_read_safe": True, "parallel_write_safe": True}

