r"""The GRU as ``nn.Module``\ s, laid out like ``torch.nn.GRU`` so weights copy across.

Shapes: N batch, T time steps, D input features, H hidden units.

.. math::
    \begin{aligned}
    r &= \sigma(x W_{ir}^\top + b_{ir} + h_{t-1} W_{hr}^\top + b_{hr}) \\
    z &= \sigma(x W_{iz}^\top + b_{iz} + h_{t-1} W_{hz}^\top + b_{hz}) \\
    n &= \tanh\big(x W_{in}^\top + b_{in} + r \odot (h_{t-1} W_{hn}^\top + b_{hn})\big) \\
    h_t &= (1 - z) \odot n + z \odot h_{t-1}
    \end{aligned}

Gate order ``[r, z, n]`` along the 3H rows of ``weight_ih``, as in ``torch.nn.GRU``.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import Tensor, nn

from course_lib.grading import recurrent_weights
from course_lib.torch_nn.cell_base import RNNCellBase

_GATES = 3  # r, z, n


class GRUCell(RNNCellBase):
    """One GRU step with ``torch.nn.GRUCell``'s parameter names and shapes.

    Attributes:
        weight_ih (3H, D), weight_hh (3H, H), bias_ih (3H,), bias_hh (3H,).
    """

    gates = _GATES

    def forward(self, x: Tensor, h: Tensor) -> Tensor:
        """x (N, D), h (N, H) -> h_next (N, H)."""
        ax_r, ax_z, ax_n = (x @ self.weight_ih.T + self.bias_ih).chunk(_GATES, dim=-1)
        ah_r, ah_z, ah_n = (h @ self.weight_hh.T + self.bias_hh).chunk(_GATES, dim=-1)
        r = torch.sigmoid(ax_r + ah_r)
        z = torch.sigmoid(ax_z + ah_z)
        n = torch.tanh(ax_n + r * ah_n)  # reset gate applied to h W_hn^T + b_hn
        return (1 - z) * n + z * h


class GRU(nn.Module):
    """A single-layer, batch-first GRU unrolled step by step with :class:`GRUCell`.

    Equals ``torch.nn.GRU(D, H, batch_first=True)`` given the same weights.
    """

    def __init__(
        self, input_size: int, hidden_size: int, *, generator: torch.Generator | None = None
    ) -> None:
        super().__init__()
        self.hidden_size = hidden_size
        self.cell = GRUCell(input_size, hidden_size, generator=generator)

    def forward(self, x: Tensor, h0: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """x (N, T, D), h0 (N, H) or None for zeros -> (output (N, T, H), h_T (N, H))."""
        N, T, _ = x.shape
        h = x.new_zeros(N, self.hidden_size) if h0 is None else h0
        outputs = []
        for t in range(T):
            h = self.cell(x[:, t], h)
            outputs.append(h)
        return torch.stack(outputs, dim=1), h

    def load_from_torch(self, module: nn.GRU | nn.GRUCell) -> GRU:
        """Copy the weights of a ``torch.nn.GRU`` (layer 0) or ``torch.nn.GRUCell``."""
        self.cell.load_from_torch(module)
        return self


def numpy_weights(
    module: nn.GRU | nn.GRUCell | GRU | GRUCell,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(Wx (D, 3H), Wh (H, 3H), bx (3H,), bh (3H,))`` for :mod:`course_lib.numpy_nn.gru`, as float64.

    ``Wx = weight_ih.T``, ``Wh = weight_hh.T``; the biases stay separate: ``b_hn`` is multiplied
    by the reset gate.
    """
    return recurrent_weights(module.cell if isinstance(module, GRU) else module, sum_biases=False)
