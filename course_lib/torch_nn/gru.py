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

_GATES = 3  # r, z, n


class GRUCell(nn.Module):
    """One GRU step with ``torch.nn.GRUCell``'s parameter names and shapes.

    Attributes:
        weight_ih (3H, D), weight_hh (3H, H), bias_ih (3H,), bias_hh (3H,).
    """

    weight_ih: nn.Parameter
    weight_hh: nn.Parameter
    bias_ih: nn.Parameter
    bias_hh: nn.Parameter

    def __init__(
        self, input_size: int, hidden_size: int, *, generator: torch.Generator | None = None
    ) -> None:
        super().__init__()
        bound = 1.0 / hidden_size**0.5  # PyTorch's default: U(-1/sqrt(H), 1/sqrt(H))
        shapes = {
            "weight_ih": (_GATES * hidden_size, input_size),
            "weight_hh": (_GATES * hidden_size, hidden_size),
            "bias_ih": (_GATES * hidden_size,),
            "bias_hh": (_GATES * hidden_size,),
        }
        for name, shape in shapes.items():
            init = (torch.rand(shape, generator=generator) * 2 - 1) * bound
            self.register_parameter(name, nn.Parameter(init))

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

    @torch.no_grad()
    def load_from_torch(self, module: nn.GRU | nn.GRUCell) -> GRU:
        """Copy the weights of a ``torch.nn.GRU`` (layer 0) or ``torch.nn.GRUCell``."""
        suffix = "_l0" if isinstance(module, nn.GRU) else ""
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(self.cell, name).copy_(getattr(module, name + suffix))
        return self


def numpy_weights(
    module: nn.GRU | nn.GRUCell | GRU | GRUCell,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(Wx (D, 3H), Wh (H, 3H), bx (3H,), bh (3H,))`` for :mod:`course_lib.numpy_nn.gru`, as float64.

    The biases stay separate: ``b_hn`` is multiplied by the reset gate.
    """
    if isinstance(module, GRU):
        module = module.cell
    suffix = "_l0" if isinstance(module, nn.GRU) else ""

    def get(name: str) -> np.ndarray:
        return getattr(module, name + suffix).detach().double().numpy()

    return get("weight_ih").T.copy(), get("weight_hh").T.copy(), get("bias_ih").copy(), get("bias_hh").copy()
