r"""The LSTM as ``nn.Module``\ s, laid out like ``torch.nn.LSTM`` so weights copy across.

Shapes: N batch, T time steps, D input features, H hidden units.

.. math::
    \begin{aligned}
    a_i, a_f, a_g, a_o &= \text{split}_4(x_t W_{ih}^\top + b_{ih} + h_{t-1} W_{hh}^\top + b_{hh}) \\
    c_t &= \sigma(a_f) \odot c_{t-1} + \sigma(a_i) \odot \tanh(a_g) \\
    h_t &= \sigma(a_o) \odot \tanh(c_t)
    \end{aligned}

Gate order ``[i, f, g, o]`` along the 4H rows of ``weight_ih`` is PyTorch's, so
``torch.nn.LSTM``/``LSTMCell`` weights load without permutation.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import Tensor, nn

from course_lib.grading import recurrent_weights
from course_lib.torch_nn.cell_base import RNNCellBase

State = tuple[Tensor, Tensor]

_GATES = 4  # i, f, g, o


class LSTMCell(RNNCellBase):
    """One LSTM step with ``torch.nn.LSTMCell``'s parameter names and shapes.

    Attributes:
        weight_ih (4H, D), weight_hh (4H, H), bias_ih (4H,), bias_hh (4H,).
    """

    gates = _GATES

    def forward(self, x: Tensor, state: State) -> State:
        """x (N, D), state (h (N, H), c (N, H)) -> (h_next (N, H), c_next (N, H))."""
        h, c = state
        a = x @ self.weight_ih.T + self.bias_ih + h @ self.weight_hh.T + self.bias_hh  # (N, 4H)
        a_i, a_f, a_g, a_o = a.chunk(_GATES, dim=-1)
        c = torch.sigmoid(a_f) * c + torch.sigmoid(a_i) * torch.tanh(a_g)
        h = torch.sigmoid(a_o) * torch.tanh(c)
        return h, c


class LSTM(nn.Module):
    """A single-layer, batch-first LSTM unrolled step by step with :class:`LSTMCell`.

    Equals ``torch.nn.LSTM(D, H, batch_first=True)`` given the same weights, except that
    the returned state is ``(h_T (N, H), c_T (N, H))`` without the layer axis.
    """

    def __init__(
        self, input_size: int, hidden_size: int, *, generator: torch.Generator | None = None
    ) -> None:
        super().__init__()
        self.hidden_size = hidden_size
        self.cell = LSTMCell(input_size, hidden_size, generator=generator)

    def forward(self, x: Tensor, state: State | None = None) -> tuple[Tensor, State]:
        """x (N, T, D), state (h0, c0) each (N, H) or None for zeros -> (output (N, T, H), (h_T, c_T))."""
        N, T, _ = x.shape
        if state is None:
            zeros = x.new_zeros(N, self.hidden_size)
            state = (zeros, zeros)
        outputs = []
        for t in range(T):
            state = self.cell(x[:, t], state)
            outputs.append(state[0])
        return torch.stack(outputs, dim=1), state

    def load_from_torch(self, module: nn.LSTM | nn.LSTMCell) -> LSTM:
        """Copy the weights of a ``torch.nn.LSTM`` (layer 0, no ``proj_size``) or ``torch.nn.LSTMCell``."""
        if isinstance(module, nn.LSTM) and module.proj_size:
            raise ValueError("an LSTM with proj_size has a weight_hr_l0 that LSTMCell has no place for")
        self.cell.load_from_torch(module)
        return self


def numpy_weights(
    module: nn.LSTM | nn.LSTMCell | LSTM | LSTMCell,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(Wx (D, 4H), Wh (H, 4H), b (4H,)) for `course_lib.numpy_nn.lstm`, as float64.

    Wx = weight_ih.T, Wh = weight_hh.T and b = bias_ih + bias_hh (layer 0 of an
    `nn.LSTM`); the gate order stays [i, f, g, o].
    """
    return recurrent_weights(module.cell if isinstance(module, LSTM) else module)
