r"""Non-neural baselines for sequence prediction: the order-k linear autoregression.

Shapes: M examples (windows), T time steps a window holds, k the model's order (k <= T).

A *Markov model of order k* assumes the next value depends on the last k values only. Its
simplest form is linear, an AR(k) model:

.. math:: \hat y = w_0 + w_1\, x_{T-k+1} + \dots + w_k\, x_T,

fitted by least squares, :math:`w = \arg\min_w \lVert A w - y \rVert^2` with
:math:`A = [\mathbf 1, X_{:, T-k:}]`. A recurrent network is the *latent* autoregressive
alternative: instead of a fixed window it carries a learned summary :math:`h_t` of the whole past.

>>> X = np.array([[1.0, 2.0], [2.0, 3.0], [3.0, 5.0]])
>>> w = fit_autoregression(X, np.array([3.0, 4.0, 6.0]), order=1)  # y = 1 + x_T exactly
>>> w.round(6)
array([1., 1.])
>>> predict_autoregression(X, w).round(6)
array([3., 4., 6.])
"""
from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


def _design(X: Array, order: int) -> Array:
    """``[1, last `order` columns of X]``, (M, order + 1)."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must be (M, T), got shape {X.shape}")
    if not 1 <= order <= X.shape[1]:
        raise ValueError(f"order must be in [1, {X.shape[1]}] for windows of {X.shape[1]} steps, got {order}")
    return np.concatenate([np.ones((len(X), 1)), X[:, -order:]], axis=1)


def fit_autoregression(X: Array, y: Array, order: int) -> Array:
    """Least-squares AR(k) coefficients with an intercept, k = `order`.

    Args:
        X: (M, T) windows of past values, oldest first (as from
            `course_lib.data.series.sliding_windows`).
        y: (M,) the value after each window.
        order: k, how many of the most recent values the model uses, 1 <= k <= T.

    Returns:
        w: (k + 1,), the intercept `w[0]` then the weights of the last k values of a window,
        oldest first.
    """
    A = _design(X, order)
    y = np.asarray(y, dtype=np.float64)
    if y.shape != (len(A),):
        raise ValueError(f"y must be ({len(A)},) to match X, got shape {y.shape}")
    w, *_ = np.linalg.lstsq(A, y, rcond=None)
    return np.asarray(w, dtype=np.float64)


def predict_autoregression(X: Array, w: Array) -> Array:
    """Forecasts of a fitted AR(k) model; k is read from ``w`` (``k = len(w) - 1``).

    Args:
        X: (M, T) windows, T >= k.
        w: (k + 1,) from :func:`fit_autoregression`.

    Returns:
        (M,) forecasts.
    """
    return _design(X, len(w) - 1) @ w
