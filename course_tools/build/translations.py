"""The book in other languages: gettext catalogs, and the translated edition built beside English.

One source, several languages (Sphinx's own translation machinery). The prose of every page is
extracted into message catalogs, ``locales/<lang>/LC_MESSAGES/<page>.po``, one per page
(``gettext_compact = False``); a translator fills their ``msgstr``. The translated edition is
the same build as the English one with ``language`` set: the same sources, the same executed
code cells (one execution cache, ``_build/.jupyter_cache``), only the prose replaced.

    course translations update   re-extract the messages and merge them into the catalogs
                                 (sphinx-intl: changed messages become fuzzy, new ones empty)
    course translations check    count untranslated and fuzzy messages (exit 1 if any)
    course translations build    the translated edition into _build/html/<lang>/ (make book)

``update`` fills in by itself the messages that hold no prose (a formula, a shape in backticks,
a citation): they read the same in every language. ``tests/test_translations.py`` fails when a
catalog is out of date with the sources, or a message is untranslated or fuzzy.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LANGUAGES = {"ko": "한국어"}  # the translated editions, beside the English one
LOCALES = Path("locales")
TITLES = {"ko": "순환 신경망에서 어텐션까지"}  # the book's title in each translated edition
# MyST inline markup that reads the same in every language: math, code, roles ({cite:p}`...`),
# and what is left once they are gone if the message has no words of its own
_NO_PROSE = re.compile(r"\$\$.*?\$\$|\$[^$]*\$|\{[\w:+-]+\}`[^`]*`|``.*?``|`[^`]*`", re.S)
_WORD = re.compile(r"[^\W\d_]{2,}")  # two letters in a row, of any script


def _jupyter_book(root: Path) -> Path:
    return Path(sys.executable).parent / "jupyter-book"


def write_config(root: Path, language: str | None, out: Path, *, execute: bool = True) -> Path:
    """Write ``out/_config.yml``: the book's ``_config.yml`` for one language.

    ``language=None`` keeps English (message extraction); ``execute=False`` runs no code (the
    prose is all that extraction needs). Paths in it stay relative to the repository, as Sphinx
    reads them from the source folder, so the execution cache is the English build's.
    """
    import yaml

    config: dict[str, Any] = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    if language is not None:
        config["sphinx"]["config"]["language"] = language
        config["title"] = TITLES.get(language, config["title"])
    if not execute:
        config["execute"]["execute_notebooks"] = "off"
    out.mkdir(parents=True, exist_ok=True)
    path = out / "_config.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def extract(root: Path, out: Path) -> Path:
    """Extract every page's messages into ``out/_build/gettext/<page>.pot``; return that folder."""
    config = write_config(root, None, out, execute=False)
    _run([str(_jupyter_book(root)), "build", str(root), "--config", str(config), "--path-output",
          str(out), "--builder", "custom", "--custom-builder", "gettext", "--warningiserror",
          "--keep-going"], root)
    return out / "_build" / "gettext"


def _run(command: list[str], root: Path) -> None:
    result = subprocess.run(command, cwd=root, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-20_000:] + result.stderr[-20_000:])
        raise SystemExit(f"course translations: {' '.join(command[:3])} ... failed ({result.returncode})")


def has_prose(message: str) -> bool:
    """Whether a message has words to translate once its math, code and roles are removed.

    >>> has_prose("`(D, H)`"), has_prose("$W_x$"), has_prose("{cite:p}`elman1990finding`")
    (False, False, False)
    >>> has_prose("input to hidden state"), has_prose("$h_t$ is the state")
    (True, True)
    """
    return bool(_WORD.search(_NO_PROSE.sub(" ", message)))


def update(root: Path, languages: list[str]) -> None:
    """Re-extract the messages and merge them into ``locales/<lang>/`` (sphinx-intl)."""
    from sphinx_intl.basic import update as intl_update

    pot = extract(root, root / "_build" / "gettext-extract")
    intl_update(str(root / LOCALES), str(pot), tuple(languages), line_width=100, ignore_obsolete=True)
    for language in languages:
        for po in sorted((root / LOCALES / language).rglob("*.po")):
            _fill_without_prose(po)


def _fill_without_prose(path: Path) -> None:
    """Give each untranslated or fuzzy message without prose its own text as translation (a
    fuzzy guess for a number in a table is another number: sphinx-intl's similarity match)."""
    from babel.messages.pofile import read_po, write_po

    with path.open("rb") as f:
        catalog = read_po(f)
    changed = False
    for message in catalog:
        if message.id and (not message.string or message.fuzzy) and not has_prose(str(message.id)):
            message.string = message.id
            message.flags.discard("fuzzy")
            changed = True
    if changed:
        with path.open("wb") as f:
            write_po(f, catalog, width=100, omit_header=False)


@dataclass(frozen=True)
class Progress:
    """A catalog's state: how many messages it has, and which are untranslated or fuzzy."""

    path: Path
    total: int
    untranslated: list[str]
    fuzzy: list[str]


def progress(path: Path) -> Progress:
    from babel.messages.pofile import read_po

    with path.open("rb") as f:
        catalog = read_po(f)
    messages = [m for m in catalog if m.id]
    return Progress(
        path,
        len(messages),
        [str(m.id) for m in messages if not m.string],
        [str(m.id) for m in messages if m.fuzzy],
    )


# what a translation must carry over unchanged: roles, math, code, link targets, autolinks
_KEPT = (re.compile(r"\{[\w:+-]+\}`[^`]*`"), re.compile(r"\$\$.*?\$\$|\$[^$]*\$", re.S),
         re.compile(r"``.*?``|`[^`]*`"), re.compile(r"\]\([^)]*\)"), re.compile(r"<https?://[^>]*>"))


_TITLED_ROLE = re.compile(r"(\{[\w:+-]+\}`).*<([^<>]+)>`$", re.S)  # {doc}`its text <target>`


def kept_markup(message: str) -> list[str]:
    """The pieces of ``message`` a translation keeps as they are, sorted (their order may change).
    A role with a text of its own keeps its target; the text is prose.

    >>> kept_markup("With $x_t$, see {doc}`notation` and [the paper](https://a.b/c).")
    ['$x_t$', '](https://a.b/c)', '{doc}`notation`']
    >>> kept_markup("({doc}`open the exercise <../x/y>`)") == kept_markup("({doc}`연습 문제 열기 <../x/y>`)")
    True
    """
    found: list[str] = []
    for pattern in _KEPT:
        found += pattern.findall(message)
        message = pattern.sub(" ", message)
    return sorted(_TITLED_ROLE.sub(r"\1<\2>`", piece) for piece in found)


def markup_differences(path: Path) -> list[str]:
    """The translated messages of a catalog whose roles, math, code or link targets differ."""
    from babel.messages.pofile import read_po

    with path.open("rb") as f:
        catalog = read_po(f)
    return [str(m.id) for m in catalog
            if m.id and m.string and kept_markup(str(m.id)) != kept_markup(str(m.string))]


def check(root: Path, languages: list[str]) -> int:
    """Print each catalog's untranslated and fuzzy counts; 1 if any message is either."""
    bad = 0
    for language in languages:
        for po in sorted((root / LOCALES / language).rglob("*.po")):
            state = progress(po)
            differing = markup_differences(po)
            if state.untranslated or state.fuzzy or differing:
                bad += 1
                print(f"{po.relative_to(root)}: {len(state.untranslated)} untranslated, "
                      f"{len(state.fuzzy)} fuzzy, {len(differing)} with changed markup, of {state.total}")
    print("every message is translated" if not bad else f"{bad} catalogs need work")
    return 1 if bad else 0


def build(root: Path, language: str, output: Path | None = None) -> Path:
    """Build the translated edition; put it at ``<html>/<language>/`` and return that folder.

    ``output`` is the English build's ``--path-output`` (the repository for the reader edition,
    ``_build/cohort`` for the cohort edition); its HTML is at ``output/_build/html``.
    """
    base = (output or root).resolve()
    work = base / "_build" / f"edition-{language}"
    config = write_config(root, language, work)
    _run([str(_jupyter_book(root)), "build", str(root), "--config", str(config), "--path-output",
          str(work), "--warningiserror", "--nitpick", "--keep-going"], root)
    target = base / "_build" / "html" / language
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(work / "_build" / "html", target)
    return target


def add_parser(sub: Any) -> None:
    tr = sub.add_parser("translations", help="the book's translated editions (gettext catalogs)")
    tr.add_argument("action", choices=["update", "check", "build"])
    tr.add_argument("--language", action="append", choices=sorted(LANGUAGES),
                    help="one language (default: all of them)")
    tr.add_argument("--path-output", type=Path, help="build: the English build's --path-output")


def run(root: Path, args: Any) -> int:
    languages = args.language or sorted(LANGUAGES)
    if args.action == "update":
        update(root, languages)
        return check(root, languages)
    if args.action == "check":
        return check(root, languages)
    for language in languages:
        print(f"built {build(root, language, args.path_output)}")
    return 0
