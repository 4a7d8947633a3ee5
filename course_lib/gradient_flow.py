r"""Measuring how gradients travel back through time.

For a recurrent module run over T steps from an initial state :math:`h_0`, we take a scalar
loss on the *last* output only, :math:`L = \langle u, h_T \rangle` with a fixed random
direction :math:`u`, and measure :math:`\lVert \partial L / \partial h_0 \rVert`. By the chain
rule this is :math:`\lVert u^\top \prod_t \partial h_t / \partial h_{t-1} \rVert`: a product of
T Jacobians, which shrinks or grows geometrically with T — vanishing or exploding gradients.

Shapes: N batch, T time steps, D input features, H hidden units.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import Tensor, nn

# A recurrent step function: (inputs (N, T, D), h0 (N, H)) -> outputs (N, T, H).
Runner = Callable[[Tensor, Tensor], Tensor]


def grad_norm_h0(run: Runner, x: Tensor, h0: Tensor, u: Tensor) -> float:
    """‖∂⟨u, h_T⟩ / ∂h_0‖, averaged over the batch.

    Args:
        run: maps (x (N, T, D), h0 (N, H)) to all outputs (N, T, H).
        x: inputs, (N, T, D).
        h0: initial state, (N, H); not modified.
        u: direction of the loss on the last output, (H,).
    """
    h0 = h0.detach().clone().requires_grad_(True)
    out = run(x, h0)
    (out[:, -1] @ u).sum().backward()
    assert h0.grad is not None
    return float(h0.grad.norm(dim=1).mean())


def rnn_runner(rnn: nn.RNN | nn.GRU) -> Runner:
    """Runner for a batch-first ``nn.RNN`` or ``nn.GRU`` (one layer)."""
    return lambda x, h0: rnn(x, h0.unsqueeze(0))[0]


def lstm_runner(lstm: nn.LSTM) -> Runner:
    """Runner for a batch-first ``nn.LSTM``; the cell state starts at zero, gradients flow from ``h0``."""
    return lambda x, h0: lstm(x, (h0.unsqueeze(0), torch.zeros_like(h0).unsqueeze(0)))[0]


def elementwise_rnn_runner(
    activation: Callable[[Tensor], Tensor], Wx: Tensor, Wh: Tensor, b: Tensor
) -> Runner:
    """Runner for h_t = activation(x_t Wx + h_(t−1) Wh + b) with any elementwise activation.

    `nn.RNN` offers only tanh and ReLU; this lets a sigmoid (or anything else) take their
    place, to compare activations on the same weights. The recurrence runs in the weights'
    dtype and the states come back in `h0`'s, so float64 weights carry gradients through
    products far below float32's range while the caller keeps float32 inputs.

    Args:
        activation: elementwise, e.g. `torch.sigmoid`, `torch.tanh`, `torch.relu`.
        Wx: (D, H). Wh: (H, H). b: (H,).
    """

    def run(x: Tensor, h0: Tensor) -> Tensor:
        h, states = h0.to(Wh.dtype), []
        x = x.to(Wx.dtype)
        for t in range(x.shape[1]):
            h = activation(x[:, t] @ Wx + h @ Wh + b)
            states.append(h)
        return torch.stack(states, dim=1).to(h0.dtype)  # (N, T, H)

    return run


def gradient_norm_curve(run: Runner, lengths: Sequence[int], *, batch: int, input_size: int, hidden_size: int,
                        generator: torch.Generator, dtype: torch.dtype = torch.float32) -> list[float]:
    """`grad_norm_h0` for each sequence length, on random inputs drawn from `generator`.

    The same h0 and u are used for every length, so the curve shows the effect of T alone.
    h0, u and the inputs are drawn in `dtype`: float64 measures norms below float32's
    smallest number (about 1e-45), which a vanishing gradient reaches within tens of steps.
    """
    h0 = torch.randn(batch, hidden_size, generator=generator, dtype=dtype) * 0.1
    u = torch.randn(hidden_size, generator=generator, dtype=dtype)
    u = u / u.norm()
    x_all = torch.randn(batch, max(lengths), input_size, generator=generator, dtype=dtype)
    return [grad_norm_h0(run, x_all[:, :T], h0, u) for T in lengths]
