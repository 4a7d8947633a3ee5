r"""GRU forward pass in NumPy, in exactly ``torch.nn.GRUCell``'s formulation.

Shapes: N batch, T time steps, D input features, H hidden units.
Gate order along the 3H axis is ``[r, z, n]`` (reset, update, new), as in PyTorch:

.. math::
    \begin{aligned}
    r &= \sigma(x W_{x,r} + b_{x,r} + h_{t-1} W_{h,r} + b_{h,r}) \\
    z &= \sigma(x W_{x,z} + b_{x,z} + h_{t-1} W_{h,z} + b_{h,z}) \\
    n &= \tanh\big(x W_{x,n} + b_{x,n} + r \odot (h_{t-1} W_{h,n} + b_{h,n})\big) \\
    h_t &= (1 - z) \odot n + z \odot h_{t-1}
    \end{aligned}

Unlike the LSTM, the two biases cannot be merged: :math:`b_{h,n}` sits inside the reset
gate's product. ``Wx = gru.weight_ih.T`` (D, 3H), ``Wh = gru.weight_hh.T`` (H, 3H),
``bx = bias_ih``, ``bh = bias_hh`` (3H,).
"""
from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from course_lib.numpy_nn.lstm import sigmoid

Array = NDArray[np.float64]


def gru_step_forward(x: Array, h_prev: Array, Wx: Array, Wh: Array, bx: Array, bh: Array) -> Array:
    """One GRU step, as `torch.nn.GRUCell`. With the blocks ordered [r, z, n]:

        r = σ(x Wx_r + bx_r + h_prev Wh_r + bh_r)
        z = σ(x Wx_z + bx_z + h_prev Wh_z + bh_z)
        n = tanh(x Wx_n + bx_n + r ⊙ (h_prev Wh_n + bh_n))
        h_next = (1 − z) ⊙ n + z ⊙ h_prev

    Args:
        x: input, (N, D).
        h_prev: previous hidden state, (N, H).
        Wx: (D, 3H). Wh: (H, 3H). bx, bh: (3H,).

    Returns:
        h_next, (N, H). (Forward only: the course does not ask for a GRU backward.)

    >>> gru_step_forward(np.ones((2, 3)), np.zeros((2, 4)), np.zeros((3, 12)), np.zeros((4, 12)),
    ...                  np.zeros(12), np.zeros(12)).shape
    (2, 4)
    """
    ax_r, ax_z, ax_n = np.split(x @ Wx + bx, 3, axis=1)  # (N, H) each
    ah_r, ah_z, ah_n = np.split(h_prev @ Wh + bh, 3, axis=1)
    r = sigmoid(ax_r + ah_r)
    z = sigmoid(ax_z + ah_z)
    n = np.tanh(ax_n + r * ah_n)  # the reset gate scales h W_hn + b_hn, bias included
    return (1.0 - z) * n + z * h_prev


def gru_forward(x: Array, h0: Array, Wx: Array, Wh: Array, bx: Array, bh: Array) -> Array:
    """Run :func:`gru_step_forward` over a sequence.

    Args:
        x: (N, T, D). h0: (N, H). Wx (D, 3H), Wh (H, 3H), bx, bh (3H,).

    Returns:
        h: every hidden state h_1 .. h_T, (N, T, H).
    """
    h_t = h0
    states = []
    for t in range(x.shape[1]):
        h_t = gru_step_forward(x[:, t], h_t, Wx, Wh, bx, bh)
        states.append(h_t)
    return np.stack(states, axis=1)
