r"""What the recurrent cells share, as PyTorch's ``RNNCellBase`` does: their parameters.

Every cell of :mod:`~course_lib.torch_nn.rnn`, :mod:`~course_lib.torch_nn.gru` and
:mod:`~course_lib.torch_nn.lstm` has ``torch.nn``'s four parameters, with ``G`` gate blocks
stacked along the first axis (1 for the tanh RNN, 3 for the GRU's ``[r, z, n]``, 4 for the
LSTM's ``[i, f, g, o]``), PyTorch's initialisation, and a copy from a ``torch.nn`` module.

Shapes: D input features, H hidden units, G gates.
"""

from __future__ import annotations

from typing import ClassVar

import torch
from torch import nn

PARAMETERS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


class RNNCellBase(nn.Module):
    r"""The parameters of one recurrent step, named and shaped as in ``torch.nn``'s cells.

    Attributes:
        weight_ih (G·H, D), weight_hh (G·H, H), bias_ih (G·H,), bias_hh (G·H,), each drawn from
        PyTorch's default :math:`U(-1/\sqrt{H}, 1/\sqrt{H})` in that order.
    """

    gates: ClassVar[int]  # G
    weight_ih: nn.Parameter
    weight_hh: nn.Parameter
    bias_ih: nn.Parameter
    bias_hh: nn.Parameter

    def __init__(
        self, input_size: int, hidden_size: int, *, generator: torch.Generator | None = None
    ) -> None:
        super().__init__()
        bound = 1.0 / hidden_size**0.5  # PyTorch's default: U(-1/sqrt(H), 1/sqrt(H))
        rows = self.gates * hidden_size
        shapes = {
            "weight_ih": (rows, input_size),
            "weight_hh": (rows, hidden_size),
            "bias_ih": (rows,),
            "bias_hh": (rows,),
        }
        for name, shape in shapes.items():
            init = (torch.rand(shape, generator=generator) * 2 - 1) * bound
            self.register_parameter(name, nn.Parameter(init))

    @torch.no_grad()
    def load_from_torch(self, module: nn.RNNBase | nn.RNNCellBase) -> None:
        """Copy the parameters of a ``torch.nn`` cell, or of layer 0 of a ``torch.nn`` RNN, LSTM or GRU."""
        suffix = "_l0" if isinstance(module, nn.RNNBase) else ""
        for name in PARAMETERS:
            getattr(self, name).copy_(getattr(module, name + suffix))
