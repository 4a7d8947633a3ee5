r"""Small NumPy building blocks around the recurrent cells: one-hot, affine, softmax loss.

Shapes: N batch, T time steps, D input features, H hidden units, V vocabulary (classes).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]


def one_hot(indices: ArrayLike, vocab_size: int) -> Array:
    """One-hot vectors for integer ids.

    Args:
        indices: integer ids, any shape S, each in [0, vocab_size).
        vocab_size: V.

    Returns:
        float64 array of shape S + (V,).

    Raises:
        ValueError: if an index is outside [0, vocab_size).

    >>> one_hot([2, 0], 3)
    array([[0., 0., 1.],
           [1., 0., 0.]])
    """
    idx = np.asarray(indices)
    if idx.size and (idx.min() < 0 or idx.max() >= vocab_size):
        bad = idx[(idx < 0) | (idx >= vocab_size)].ravel()[0]
        raise ValueError(f"index {bad} is outside [0, {vocab_size})")
    return np.eye(vocab_size)[idx]


class AffineCache(NamedTuple):
    x: Array  # (..., H)
    W: Array  # (H, V)


def temporal_affine_forward(x: Array, W: Array, b: Array) -> tuple[Array, AffineCache]:
    """Apply the same affine map at every step: ``x @ W + b``.

    Args:
        x: (N, T, H). W: (H, V). b: (V,).

    Returns:
        scores (N, T, V) and a cache.
    """
    return x @ W + b, AffineCache(x, W)


def temporal_affine_backward(dout: Array, cache: AffineCache) -> tuple[Array, Array, Array]:
    """Backward of :func:`temporal_affine_forward`: returns dx (N, T, H), dW (H, V), db (V,)."""
    H = cache.x.shape[-1]
    dx = dout @ cache.W.T
    dW = cache.x.reshape(-1, H).T @ dout.reshape(-1, dout.shape[-1])
    db = dout.reshape(-1, dout.shape[-1]).sum(axis=0)
    return dx, dW, db


def softmax(scores: Array, axis: int = -1) -> Array:
    r"""Numerically stable softmax: :math:`e^{s_i - \max s} / \sum_j e^{s_j - \max s}`."""
    shifted = scores - scores.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


def softmax_cross_entropy(scores: Array, targets: ArrayLike) -> tuple[float, Array]:
    r"""Mean cross-entropy of softmax(scores) against integer targets, and its gradient.

    .. math:: L = -\frac{1}{M} \sum_m \log \mathrm{softmax}(s_m)_{y_m},
              \qquad \frac{\partial L}{\partial s_m} = \frac{\mathrm{softmax}(s_m) - e_{y_m}}{M}

    Args:
        scores: (..., V); every leading position is one prediction (M in all).
        targets: integer ids of shape ``scores.shape[:-1]``.

    Returns:
        loss (a float) and dscores, shaped like ``scores``.
    """
    y = np.asarray(targets)
    V = scores.shape[-1]
    flat = scores.reshape(-1, V)
    M = flat.shape[0]
    shifted = flat - flat.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(M), y.ravel()].mean()
    dflat = np.exp(log_probs)
    dflat[np.arange(M), y.ravel()] -= 1.0
    return float(loss), (dflat / M).reshape(scores.shape)
