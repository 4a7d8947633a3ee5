r"""The tanh RNN as ``nn.Module``\ s, laid out like ``torch.nn.RNN`` so weights copy across.

Shapes: N batch, T time steps, D input features, H hidden units, V vocabulary.

.. math:: h_t = \tanh(x_t W_{ih}^\top + b_{ih} + h_{t-1} W_{hh}^\top + b_{hh})

PyTorch keeps two biases; they only ever appear as a sum, so the NumPy version's single
``b`` equals ``bias_ih + bias_hh``.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import Tensor, nn

from course_lib.grading import recurrent_weights
from course_lib.torch_nn.cell_base import RNNCellBase


class RNNCell(RNNCellBase):
    """One tanh RNN step with ``torch.nn.RNNCell``'s parameter names and shapes.

    Attributes:
        weight_ih (H, D), weight_hh (H, H), bias_ih (H,), bias_hh (H,).
    """

    gates = 1

    def forward(self, x: Tensor, h_prev: Tensor) -> Tensor:
        """x (N, D), h_prev (N, H) -> h_next (N, H)."""
        return torch.tanh(x @ self.weight_ih.T + self.bias_ih + h_prev @ self.weight_hh.T + self.bias_hh)


class RNN(nn.Module):
    """A single-layer, batch-first tanh RNN unrolled step by step with :class:`RNNCell`.

    Equivalent to ``torch.nn.RNN(D, H, batch_first=True)`` given the same weights; written
    as an explicit loop so the recurrence is visible.
    """

    def __init__(
        self, input_size: int, hidden_size: int, *, generator: torch.Generator | None = None
    ) -> None:
        super().__init__()
        self.hidden_size = hidden_size
        self.cell = RNNCell(input_size, hidden_size, generator=generator)

    def forward(self, x: Tensor, h0: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """x (N, T, D), h0 (N, H) or None for zeros -> (output (N, T, H), h_T (N, H))."""
        N, T, _ = x.shape
        h = x.new_zeros(N, self.hidden_size) if h0 is None else h0
        outputs = []
        for t in range(T):
            h = self.cell(x[:, t], h)
            outputs.append(h)
        return torch.stack(outputs, dim=1), h

    def load_from_torch(self, module: nn.RNN | nn.RNNCell) -> RNN:
        """Copy the weights of a ``torch.nn.RNN`` (layer 0) or ``torch.nn.RNNCell``."""
        self.cell.load_from_torch(module)
        return self


def numpy_weights(module: nn.RNN | nn.RNNCell | RNN | RNNCell) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(Wx (D, H), Wh (H, H), b (H,))`` in the NumPy layout, as float64 arrays.

    ``Wx = weight_ih.T``, ``Wh = weight_hh.T`` and ``b = bias_ih + bias_hh``.
    """
    return recurrent_weights(module.cell if isinstance(module, RNN) else module)


class CharRNN(nn.Module):
    """Character model: one-hot input -> `nn.RNN` -> linear scores over the vocabulary.

    The smallest useful language model, as in the "hihello" example: it predicts the next
    character at every step.

    Args:
        vocab_size: V (input one-hot size and number of output classes).
        hidden_size: H.
    """

    def __init__(self, vocab_size: int, hidden_size: int) -> None:
        super().__init__()
        self.vocab_size = vocab_size
        self.rnn = nn.RNN(vocab_size, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, ids: Tensor, h0: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """ids (N, T) long -> (scores (N, T, V), h_n (1, N, H))."""
        x = nn.functional.one_hot(ids, self.vocab_size).float()  # (N, T, V)
        out, h_n = self.rnn(x, h0)  # (N, T, H)
        return self.head(out), h_n
