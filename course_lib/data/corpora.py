"""Plain-text corpora for character language models: Tiny Shakespeare and 무정 (Mujeong).

Both come through :func:`course_lib.data.download.fetch`, so the mirror, the cache and the
checksums work as for every other dataset. 무정 arrives as MediaWiki source from Korean
Wikisource; :func:`clean_wikitext` turns it into the novel's plain text.
"""
from __future__ import annotations

import os
import re
import urllib.parse

from course_lib.data.download import Resource, fetch

TINY_SHAKESPEARE = Resource(
    name="Tiny Shakespeare (karpathy/char-rnn)",
    url="https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt",
    checksum="86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
    algorithm="sha256",
    filename="input.txt",
    kind="file",
    mirror_path="tinyshakespeare/input.txt",
    checksum_source="sha256 of karpathy/char-rnn's file, recorded in shared/data/SOURCES.md",
)

MUJEONG = Resource(
    name="무정 (Mujeong) ch. 1-20, Korean Wikisource",
    url="https://ko.wikisource.org/w/index.php?title="
    + urllib.parse.quote("무정/1장~20장")
    + "&action=raw",
    checksum="cade38dd2d2df59ba1c630b38dcde1089003f39f10d2cfe8cd9f46b506ca85cf",
    algorithm="sha256",
    filename="mujeong_ch01-20.wikitext.txt",
    kind="file",
    mirror_path="mujeong/mujeong_ch01-20.wikitext.txt",
    checksum_source=(
        "sha256 of the mirror's copy (shared/data/SOURCES.md); Wikisource publishes no "
        "checksum, and an edit to the page since then will change the download"
    ),
)

CORPORA = {"tinyshakespeare": TINY_SHAKESPEARE, "mujeong": MUJEONG}

_TEMPLATE = re.compile(r"\{\{[^{}]*\}\}")  # innermost {{...}}; applied until none is left
_LINK = re.compile(r"\[\[(?:[^\[\]|]*\|)?([^\[\]]*)\]\]")  # [[target|label]] -> label
_TAG = re.compile(r"<[^<>]+>")
_EMPHASIS = re.compile(r"'{2,}")  # ''italic'' and '''bold''' markers
_HEADING = re.compile(r"^=+[ \t]*(.*?)[ \t]*=+[ \t]*$", flags=re.MULTILINE)
_BLANK_LINES = re.compile(r"\n{3,}")


def clean_wikitext(text: str) -> str:
    """MediaWiki source to plain text.

    Removes templates (including nested ones such as the ``{{머리말 …}}`` header and the
    ``{{문단 그림}}`` chapter separators), keeps the visible label of ``[[links]]``, drops
    HTML tags and ``''``/``'''`` emphasis, unwraps ``== headings ==``, and collapses runs of
    blank lines to one.
    """
    text = text.replace("\r\n", "\n")
    while True:
        stripped = _TEMPLATE.sub("", text)
        if stripped == text:
            break
        text = stripped
    text = _LINK.sub(r"\1", text)
    text = _TAG.sub("", text)
    text = _EMPHASIS.sub("", text)
    text = _HEADING.sub(r"\1", text)
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip() + "\n"


def load_text(name: str, *, cache_dir: str | os.PathLike[str] | None = None,
              progress: bool = True) -> str:
    """The full text of a corpus.

    Args:
        name: ``"tinyshakespeare"`` (1,115,394 characters) or ``"mujeong"`` (chapters 1-20
            of 이광수's 1917 novel, cleaned of wiki markup by :func:`clean_wikitext`).
        cache_dir: overrides ``COURSE_DATA_CACHE``.
        progress: show a download bar if a download is needed.

    Returns:
        The text as one ``str``.
    """
    if name not in CORPORA:
        raise ValueError(f"unknown corpus {name!r}; choose one of {sorted(CORPORA)}")
    path = fetch(CORPORA[name], cache_dir=cache_dir, progress=progress)
    text = path.read_text(encoding="utf-8")
    return clean_wikitext(text) if name == "mujeong" else text


def split_by_position(text: str, val_fraction: float = 0.1) -> tuple[str, str]:
    """Split a text into a training prefix and a validation suffix (not at random).

    A contiguous split keeps validation text unseen: random chunks would share sentences
    with their neighbours in the training set.

    Args:
        text: the corpus.
        val_fraction: share of characters for validation, in ``(0, 1)``.

    Returns:
        ``(train, val)`` with ``train + val == text`` and
        ``len(val) == round(len(text) * val_fraction)``.
    """
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction}")
    cut = len(text) - round(len(text) * val_fraction)
    return text[:cut], text[cut:]
