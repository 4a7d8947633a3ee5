"""course_lib.plotting: helpers draw what they are given, label it, and return the Axes."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from course_lib import plotting
from course_lib.training import History


def test_plot_attention_reads_back():
    w = np.array([[0.7, 0.3], [0.1, 0.9], [0.5, 0.5]])
    ax = plotting.plot_attention(w, ["a", "b"], ["x", "y", "z"])
    np.testing.assert_array_equal(ax.images[0].get_array(), w)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["x", "y", "z"]
    assert ax.get_xlabel() == "source (keys)" and ax.get_ylabel() == "target (queries)"


def test_plot_curves_uses_given_axes():
    _, ax = plt.subplots()
    out = plotting.plot_curves([1, 2, 3], {"rnn": [1, 0.1, 0.01], "lstm": [1, 0.9, 0.8]}, ax=ax,
                               xlabel="T", ylabel="norm", log_y=True)
    assert out is ax
    assert [line.get_label() for line in ax.lines] == ["rnn", "lstm"]
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "T"


def test_plot_history_and_steps():
    h = History(step_loss=[1.0, 0.5, 0.25], epoch=[{"epoch": 1, "train_loss": 0.7}, {"epoch": 2, "train_loss": 0.3}])
    ax = plotting.plot_history(h)
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [0.7, 0.3])
    ax = plotting.plot_steps(h.step_loss)
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [1.0, 0.5, 0.25])


def test_plotting_does_not_touch_rcparams():
    before = dict(plt.rcParams)
    plotting.plot_steps([1, 2])
    assert dict(plt.rcParams) == before


def test_hangul_font_when_fonts_nanum_is_installed():
    import shutil

    import pytest

    if shutil.which("fc-list") is None or "Nanum" not in __import__("subprocess").run(
            ["fc-list"], capture_output=True, text=True).stdout:
        pytest.skip("Debian's fonts-nanum is not installed (make test installs it when run as root)")
    name = plotting.hangul_font()
    assert name in plotting.HANGUL_FONTS
    fig, ax = plt.subplots()
    ax.set_title("무정", fontfamily=name)
    fig.canvas.draw()  # no missing-glyph warning escalates; the font resolves to a real file
    from matplotlib import font_manager
    assert "Nanum" in font_manager.findfont(name, fallback_to_default=False)
