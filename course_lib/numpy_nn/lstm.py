r"""LSTM in NumPy as forward/backward pairs, gates in PyTorch's order ``[i, f, g, o]``.

Shapes: N batch, T time steps, D input features, H hidden units.
Each ``*_forward`` returns ``(out, cache)``; the matching ``*_backward`` takes the upstream
gradients and the cache and returns gradients in the order of the forward's arguments.

One step stacks the four gate pre-activations into one matrix product and splits it in four:

.. math::
    \begin{aligned}
    a &= x_t W_x + h_{t-1} W_h + b \in \mathbb{R}^{N \times 4H},
        \quad [a_i, a_f, a_g, a_o] = \text{split}_4(a) \\
    i &= \sigma(a_i), \quad f = \sigma(a_f), \quad g = \tanh(a_g), \quad o = \sigma(a_o) \\
    c_t &= f \odot c_{t-1} + i \odot g \\
    h_t &= o \odot \tanh(c_t)
    \end{aligned}

Weights are input-major (``Wx`` is ``(D, 4H)``), the transpose of PyTorch's:
``Wx = lstm.weight_ih_l0.T``, ``Wh = lstm.weight_hh_l0.T``, ``b = bias_ih_l0 + bias_hh_l0``.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]

#: PyTorch's gate order along the 4H axis (see ``torch.nn.LSTM``'s ``weight_ih_l[k]``).
TORCH_GATE_ORDER = "ifgo"


def sigmoid(x: ArrayLike) -> Array:
    """Logistic function σ(x) = 1 / (1 + exp(−x)), without overflow.

    `np.exp(-x)` overflows for x < −709. Writing z = exp(−|x|), which lies in (0, 1],

        σ(x) = 1 / (1 + z)  for x ≥ 0,      σ(x) = z / (1 + z)  for x < 0,

    so no exponential ever exceeds 1.

    Args:
        x: any shape.

    Returns:
        float64 array of the shape of `x`, values in [0, 1].

    >>> sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    array([0. , 0.5, 1. ])
    """
    x = np.asarray(x, dtype=np.float64)
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


def reorder_gates(W: Array, source: str, target: str) -> Array:
    """Permute the four gate blocks along the last axis, e.g. from ``"ifog"`` to ``"ifgo"``.

    Args:
        W: (..., 4H), gate blocks laid out in the order named by ``source``.
        source, target: permutations of ``"ifgo"``.

    Returns:
        (..., 4H), the same blocks in the order ``target``.

    >>> reorder_gates(np.arange(4.0), "ifog", "ifgo")
    array([0., 1., 3., 2.])
    """
    if sorted(source) != sorted(TORCH_GATE_ORDER) or sorted(target) != sorted(TORCH_GATE_ORDER):
        raise ValueError(
            f"gate orders must be permutations of {TORCH_GATE_ORDER!r}, got {source!r}, {target!r}"
        )
    blocks = dict(zip(source, np.split(np.asarray(W), 4, axis=-1), strict=True))
    return np.concatenate([blocks[gate] for gate in target], axis=-1)


class LSTMStepCache(NamedTuple):
    x: Array  # (N, D)
    h_prev: Array  # (N, H)
    c_prev: Array  # (N, H)
    i: Array  # (N, H) input gate
    f: Array  # (N, H) forget gate
    g: Array  # (N, H) candidate
    o: Array  # (N, H) output gate
    tanh_c: Array  # (N, H) tanh(c_next)
    Wx: Array  # (D, 4H)
    Wh: Array  # (H, 4H)


class LSTMCache(NamedTuple):
    steps: list[LSTMStepCache]  # one per time step, T of them


def lstm_step_forward(
    x: Array, h_prev: Array, c_prev: Array, Wx: Array, Wh: Array, b: Array
) -> tuple[Array, Array, LSTMStepCache]:
    """One LSTM step, gate order [i, f, g, o]. With a = x Wx + h_prev Wh + b split in four,

        c_next = σ(a_f) ⊙ c_prev + σ(a_i) ⊙ tanh(a_g)
        h_next = σ(a_o) ⊙ tanh(c_next)

    Args:
        x: input, (N, D).
        h_prev, c_prev: hidden and cell state from the previous step, (N, H) each.
        Wx: (D, 4H). Wh: (H, 4H). b: (4H,).

    Returns:
        h_next (N, H), c_next (N, H), and the cache for `lstm_step_backward`.
    """
    a = x @ Wx + h_prev @ Wh + b  # (N, 4H)
    a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)  # (N, H) each
    i, f, g, o = sigmoid(a_i), sigmoid(a_f), np.tanh(a_g), sigmoid(a_o)
    c_next = f * c_prev + i * g
    tanh_c = np.tanh(c_next)
    h_next = o * tanh_c
    return h_next, c_next, LSTMStepCache(x, h_prev, c_prev, i, f, g, o, tanh_c, Wx, Wh)


def lstm_step_backward(
    dh_next: Array, dc_next: Array, cache: LSTMStepCache
) -> tuple[Array, Array, Array, Array, Array, Array]:
    """Backward pass of `lstm_step_forward`.

    The cell state receives gradient from two places: directly from the next step
    (`dc_next`) and through h_next = o ⊙ tanh(c_next):

        δc   = dc_next + dh_next ⊙ o ⊙ (1 − tanh²(c_next))
        δa_i = δc ⊙ g ⊙ i(1 − i)             δa_f = δc ⊙ c_prev ⊙ f(1 − f)
        δa_g = δc ⊙ i ⊙ (1 − g²)             δa_o = dh_next ⊙ tanh(c_next) ⊙ o(1 − o)
        ∂L/∂c_prev = δc ⊙ f

    and δa = [δa_i, δa_f, δa_g, δa_o] then flows back through the affine map exactly
    as in the plain RNN.

    Args:
        dh_next, dc_next: gradients w.r.t. `h_next` and `c_next`, (N, H) each.
        cache: from `lstm_step_forward`.

    Returns:
        dx (N, D), dh_prev (N, H), dc_prev (N, H), dWx (D, 4H), dWh (H, 4H), db (4H,).
    """
    x, h_prev, c_prev, i, f, g, o, tanh_c, Wx, Wh = cache
    dc = dc_next + dh_next * o * (1.0 - tanh_c**2)
    da = np.concatenate(
        [
            dc * g * i * (1.0 - i),  # input gate, through σ' = σ(1 − σ)
            dc * c_prev * f * (1.0 - f),  # forget gate
            dc * i * (1.0 - g**2),  # candidate, through tanh' = 1 − tanh²
            dh_next * tanh_c * o * (1.0 - o),  # output gate
        ],
        axis=1,
    )  # (N, 4H)
    dx = da @ Wx.T
    dh_prev = da @ Wh.T
    dc_prev = dc * f
    dWx = x.T @ da
    dWh = h_prev.T @ da
    db = da.sum(axis=0)
    return dx, dh_prev, dc_prev, dWx, dWh, db


def lstm_forward(x: Array, h0: Array, Wx: Array, Wh: Array, b: Array) -> tuple[Array, LSTMCache]:
    """Run the LSTM over a sequence; the cell state starts at zero.

    Args:
        x: inputs, (N, T, D).
        h0: initial hidden state, (N, H).
        Wx (D, 4H), Wh (H, 4H), b (4H,): shared by every step.

    Returns:
        h: every hidden state h_1 … h_T, (N, T, H), and the cache for `lstm_backward`.
    """
    N, T, _ = x.shape
    H = h0.shape[1]
    h = np.empty((N, T, H), dtype=np.result_type(x, h0, Wx))
    h_t, c_t = h0, np.zeros_like(h0)
    steps = []
    for t in range(T):
        h_t, c_t, step = lstm_step_forward(x[:, t], h_t, c_t, Wx, Wh, b)
        h[:, t] = h_t
        steps.append(step)
    return h, LSTMCache(steps)


def lstm_backward(dh: Array, cache: LSTMCache) -> tuple[Array, Array, Array, Array, Array]:
    """Backpropagation through time for `lstm_forward`.

    Two gradients travel backwards: ∂L/∂h_t (`dh[:, t]` plus what step t+1 sends back)
    and ∂L/∂c_t, which only step t+1 sends back (the cell state is not an output).
    No loss touches c_T, so the carried `dc` starts at zero.

    Args:
        dh: upstream gradient of every hidden state, (N, T, H).
        cache: from `lstm_forward`.

    Returns:
        dx (N, T, D), dh0 (N, H), dWx (D, 4H), dWh (H, 4H), db (4H,).
    """
    N, T, H = dh.shape
    first = cache.steps[0]
    dx = np.zeros((N, T, first.x.shape[1]))
    dWx, dWh, db = np.zeros_like(first.Wx), np.zeros_like(first.Wh), np.zeros(4 * H)
    dh_carry, dc_carry = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t], dh_carry, dc_carry, dWx_t, dWh_t, db_t = lstm_step_backward(
            dh[:, t] + dh_carry, dc_carry, cache.steps[t]
        )
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return dx, dh_carry, dWx, dWh, db
