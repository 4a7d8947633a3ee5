r"""Vanilla (tanh) RNN in NumPy as forward/backward pairs.

Shapes: N batch, T time steps, D input features, H hidden units.
Each ``*_forward`` returns ``(out, cache)``. The matching ``*_backward`` takes
``(dout, cache)`` and returns gradients in the order of the forward's arguments.

.. math:: h_t = \tanh(x_t W_x + h_{t-1} W_h + b)

Weights are stored "input-major" (``Wx`` is ``(D, H)``) so that a batch is one matrix
product ``x @ Wx``; PyTorch stores the transpose: ``Wx = rnn.weight_ih_l0.T``.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


class RNNStepCache(NamedTuple):
    x: Array  # (N, D)
    h_prev: Array  # (N, H)
    h_next: Array  # (N, H)
    Wx: Array  # (D, H)
    Wh: Array  # (H, H)


class RNNCache(NamedTuple):
    steps: list[RNNStepCache]  # one per time step, T of them


def rnn_step_forward(
    x: Array, h_prev: Array, Wx: Array, Wh: Array, b: Array
) -> tuple[Array, RNNStepCache]:
    """One time step of a tanh RNN:  h_next = tanh(x Wx + h_prev Wh + b).

    Args:
        x: input at this step, (N, D).
        h_prev: hidden state from the previous step, (N, H).
        Wx: input-to-hidden weights, (D, H).
        Wh: hidden-to-hidden weights, (H, H).
        b: bias, (H,).

    Returns:
        h_next: (N, H), and the cache that `rnn_step_backward` needs.

    >>> h, _ = rnn_step_forward(np.ones((2, 3)), np.zeros((2, 4)), np.zeros((3, 4)),
    ...                         np.zeros((4, 4)), np.zeros(4))
    >>> h.shape
    (2, 4)
    """
    h_next = np.tanh(x @ Wx + h_prev @ Wh + b)
    return h_next, RNNStepCache(x, h_prev, h_next, Wx, Wh)


def rnn_step_backward(
    dh_next: Array, cache: RNNStepCache
) -> tuple[Array, Array, Array, Array, Array]:
    """Backward pass of `rnn_step_forward`.

    With a = x Wx + h_prev Wh + b and h_next = tanh(a):

        ∂L/∂a = ∂L/∂h_next ⊙ (1 − h_next²)

    Args:
        dh_next: gradient of the loss w.r.t. `h_next`, (N, H).
        cache: from `rnn_step_forward`.

    Returns:
        dx (N, D), dh_prev (N, H), dWx (D, H), dWh (H, H), db (H,).
    """
    da = dh_next * (1.0 - cache.h_next**2)  # through tanh: d tanh(a)/da = 1 - tanh(a)^2
    dx = da @ cache.Wx.T
    dh_prev = da @ cache.Wh.T
    dWx = cache.x.T @ da
    dWh = cache.h_prev.T @ da
    db = da.sum(axis=0)  # b is broadcast over the batch, so its gradient sums over it
    return dx, dh_prev, dWx, dWh, db


def rnn_forward(x: Array, h0: Array, Wx: Array, Wh: Array, b: Array) -> tuple[Array, RNNCache]:
    """Run the RNN over a whole sequence, carrying the hidden state.

    Args:
        x: inputs, (N, T, D).
        h0: initial hidden state, (N, H).
        Wx (D, H), Wh (H, H), b (H,): shared by every time step.

    Returns:
        h: every hidden state h_1 … h_T, (N, T, H), and the cache for `rnn_backward`.
    """
    N, T, _ = x.shape
    H = h0.shape[1]
    h = np.empty((N, T, H), dtype=np.result_type(x, h0, Wx))
    steps = []
    h_t = h0
    for t in range(T):
        h_t, step = rnn_step_forward(x[:, t], h_t, Wx, Wh, b)
        h[:, t] = h_t
        steps.append(step)
    return h, RNNCache(steps)


def rnn_backward(dh: Array, cache: RNNCache) -> tuple[Array, Array, Array, Array, Array]:
    """Backpropagation through time for `rnn_forward`.

    The gradient reaching h_t has two sources: the loss at step t (`dh[:, t]`) and
    step t+1, through Wh. The shared weights collect one term per step.

        ∂L/∂h_t = dh[:, t] + ∂L/∂h_(t+1) · ∂h_(t+1)/∂h_t

    Args:
        dh: upstream gradient of every hidden state, (N, T, H).
        cache: from `rnn_forward`.

    Returns:
        dx (N, T, D), dh0 (N, H), dWx (D, H), dWh (H, H), db (H,).
    """
    first = cache.steps[0]
    N, T, H = dh.shape
    D = first.x.shape[1]
    dx = np.zeros((N, T, D))
    dWx, dWh, db = np.zeros_like(first.Wx), np.zeros_like(first.Wh), np.zeros(H)
    dh_carry = np.zeros((N, H))  # gradient arriving from step t+1
    for t in reversed(range(T)):
        dx[:, t], dh_carry, dWx_t, dWh_t, db_t = rnn_step_backward(
            dh[:, t] + dh_carry, cache.steps[t]
        )
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return dx, dh_carry, dWx, dWh, db
