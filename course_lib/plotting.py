"""Plotting helpers. Each takes ``ax=None``, labels everything and returns the Axes.

None of them calls ``plt.show()`` or changes rcParams.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from numpy.typing import ArrayLike

from course_lib.training.loop import History

# Fonts with Hangul glyphs, best first (Debian's fonts-nanum provides NanumGothic).
HANGUL_FONTS = ("NanumGothic", "NanumBarunGothic", "Noto Sans CJK KR", "Noto Sans KR", "UnDotum")


def hangul_font() -> str | None:
    """The family name of an installed font that can draw Hangul, or None if there is none.

    Use it per figure, e.g. ``ax.set_title(text, fontfamily=hangul_font())``, or for a block
    with ``plt.rc_context({"font.family": hangul_font() or "sans-serif"})``. With None, Hangul
    renders as boxes: install Debian's ``fonts-nanum`` (``make test`` does, as root).
    """
    from matplotlib import font_manager

    def find() -> str | None:
        installed = {f.name for f in font_manager.fontManager.ttflist}
        return next((name for name in HANGUL_FONTS if name in installed), None)

    found = find()
    if found is None:  # matplotlib's font cache may predate the font's installation
        for path in font_manager.findSystemFonts():
            if any(key in path for key in ("Nanum", "NotoSansCJK", "NotoSansKR", "UnDotum")):
                font_manager.fontManager.addfont(path)
        found = find()
    return found


def _axes(ax: Axes | None) -> Axes:
    if ax is None:
        _, ax = plt.subplots()
    return ax


def plot_history(history: History, keys: Sequence[str] = ("train_loss",), ax: Axes | None = None,
                 *, log_y: bool = False) -> Axes:
    """Per-epoch curves from a :class:`~course_lib.training.History` (e.g. train and val loss)."""
    ax = _axes(ax)
    epochs = history.series("epoch")
    for key in keys:
        ax.plot(epochs[: len(history.series(key))], history.series(key), marker=".", label=key)
    ax.set_xlabel("epoch")
    ax.set_ylabel(", ".join(keys))
    if log_y:
        ax.set_yscale("log")
    ax.legend()
    return ax


def plot_steps(values: ArrayLike, ax: Axes | None = None, *, label: str = "loss",
               log_y: bool = True) -> Axes:
    """A per-step curve such as ``History.step_loss``."""
    ax = _axes(ax)
    ax.plot(np.asarray(values), label=label)
    ax.set_xlabel("step")
    ax.set_ylabel(label)
    if log_y:
        ax.set_yscale("log")
    ax.legend()
    return ax


def plot_curves(x: ArrayLike, curves: Mapping[str, ArrayLike], ax: Axes | None = None, *,
                xlabel: str, ylabel: str, log_y: bool = False, title: str | None = None) -> Axes:
    """Several labelled curves over a shared x (e.g. gradient norm against sequence length)."""
    ax = _axes(ax)
    for label, y in curves.items():
        ax.plot(np.asarray(x), np.asarray(y), marker="o", markersize=3, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if log_y:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    ax.legend()
    return ax


def plot_attention(weights: ArrayLike, source: Sequence[str], target: Sequence[str],
                   ax: Axes | None = None, *, title: str | None = None) -> Axes:
    """Heat map of attention weights.

    Args:
        weights: (T_q, T_k), each row sums to 1 (or 0 for a fully masked row).
        source: T_k key tokens (x axis). target: T_q query tokens (y axis).
    """
    ax = _axes(ax)
    w = np.asarray(weights)
    image = ax.imshow(w, vmin=0.0, vmax=1.0, cmap="viridis")
    ax.set_xticks(range(len(source)), labels=list(source), rotation=90)
    ax.set_yticks(range(len(target)), labels=list(target))
    ax.set_xlabel("source (keys)")
    ax.set_ylabel("target (queries)")
    if title:
        ax.set_title(title)
    ax.figure.colorbar(image, ax=ax)
    return ax
