r"""Scaled dot-product attention, masks, positional encoding and multi-head attention in torch.

Shapes: N batch, T time steps, T_q query positions, T_k key positions, D_k query/key width,
D_v value width, D model width (``d_model``), n_h heads, D_h = D / n_h per-head width.
A leading ``...`` means any number of batch dimensions.

.. math::
    \operatorname{Attention}(Q, K, V) = \operatorname{softmax}\!\Big(\frac{Q K^\top}{\sqrt{D_k}}\Big) V

Masks are boolean with ``True`` meaning *may attend*, the convention of
``torch.nn.functional.scaled_dot_product_attention``. A masked score is set to
:math:`-\infty` so that softmax gives it exactly zero weight. A query whose every key is
masked would then compute :math:`0/0` = NaN; such rows are defined to have all-zero weights
and output instead (see :func:`scaled_dot_product_attention`).
"""
from __future__ import annotations

import math

import torch
from torch import Tensor, nn

# Wavelength base of the sinusoidal encoding, from "Attention Is All You Need" (Vaswani et
# al., 2017): wavelengths grow geometrically from 2*pi to 10000 * 2*pi across the dimensions.
PE_BASE = 10000.0


def attention_scores(q: Tensor, k: Tensor) -> Tensor:
    """Scaled dot products of every query with every key.

        S = Q Kᵀ / √D_k

    Dividing by √D_k keeps the scores' variance near 1 when the entries of q and k have unit
    variance: a sum of D_k unit-variance products has variance D_k.

    Args:
        q: queries, (..., T_q, D_k).
        k: keys, (..., T_k, D_k).

    Returns:
        scores, (..., T_q, T_k).
    """
    return q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])


def masked_softmax(scores: Tensor, mask: Tensor | None = None) -> Tensor:
    """Softmax over the last axis (the keys), ignoring masked-out entries.

        A[i, j] = m[i, j] exp(S[i, j]) / ∑_j' m[i, j'] exp(S[i, j'])

    A row with no allowed entry (every m[i, j] = 0) gets all-zero weights rather than
    the NaN that 0/0 would give.

    Args:
        scores: S, (..., T_q, T_k).
        mask: m, bool, broadcastable to `scores`; True = may attend. None allows all.

    Returns:
        weights, the shape of `scores`; each row sums to 1, or to 0 if fully masked.
    """
    if mask is None:
        return torch.softmax(scores, dim=-1)
    if mask.dtype != torch.bool:
        raise TypeError(f"mask must be a bool tensor (True = may attend), got {mask.dtype}")
    scores = scores.masked_fill(~mask, -math.inf)
    weights = torch.softmax(scores, dim=-1)  # a fully masked row is exp(-inf)/0 = NaN here
    # torch.where (not weights * mask) so the NaN of a fully masked row cannot survive as 0*NaN.
    return torch.where(mask, weights, torch.zeros((), dtype=weights.dtype, device=weights.device))


def scaled_dot_product_attention(
    q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None = None
) -> tuple[Tensor, Tensor]:
    """Scaled dot-product attention, returning the output and the attention weights.

        A = softmax(Q Kᵀ / √D_k)      (over the keys)
        O = A V

    Equal to `torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask)`
    wherever that is defined; a fully masked query row gives all-zero weights and output here
    (recent PyTorch versions agree; older ones, and a plain softmax, give NaN).

    Args:
        q: queries, (..., T_q, D_k).
        k: keys, (..., T_k, D_k).
        v: values, (..., T_k, D_v).
        mask: bool, broadcastable to (..., T_q, T_k); True = may attend.

    Returns:
        out (..., T_q, D_v) and weights (..., T_q, T_k).
    """
    weights = masked_softmax(attention_scores(q, k), mask)
    return weights @ v, weights


def causal_mask(T: int, *, device: torch.device | None = None) -> Tensor:
    """Lower-triangular mask: query i may attend to keys j ≤ i.

    Args:
        T: sequence length.

    Returns:
        bool (T, T), True on and below the diagonal.

    >>> causal_mask(3).int().tolist()
    [[1, 0, 0], [1, 1, 0], [1, 1, 1]]
    """
    return torch.ones(T, T, dtype=torch.bool, device=device).tril()


def padding_mask(lengths: Tensor, T: int) -> Tensor:
    """Which positions of each right-padded sequence hold real tokens.

    Args:
        lengths: (N,) integer lengths, each in [0, T].
        T: padded length.

    Returns:
        bool (N, T), True where position < lengths[n]. To mask keys in attention, index it
        as mask[:, None, :] (N, 1, T_k), or mask[:, None, None, :] with heads.

    >>> padding_mask(torch.tensor([1, 3]), 4).int().tolist()
    [[1, 0, 0, 0], [1, 1, 1, 0]]
    """
    return torch.arange(T, device=lengths.device) < lengths[:, None]


def positional_encoding(T: int, d: int) -> Tensor:
    """The sinusoidal position table of the original Transformer.

        PE[p, 2i]     = sin(p / 10000^(2i/d))
        PE[p, 2i + 1] = cos(p / 10000^(2i/d))

    Sines and cosines are interleaved (even columns sine, odd columns cosine), so each pair
    of columns is a rotation at one frequency.

    Args:
        T: number of positions.
        d: encoding width; must be even.

    Returns:
        float32 (T, d).

    Raises:
        ValueError: if `d` is odd or not positive.
    """
    if d <= 0 or d % 2:
        raise ValueError(f"positional_encoding needs an even, positive width d, got d={d}")
    position = torch.arange(T, dtype=torch.float64)[:, None]                # (T, 1)
    two_i = torch.arange(0, d, 2, dtype=torch.float64)                      # (d/2,)
    angle = position / PE_BASE ** (two_i / d)                               # (T, d/2)
    table = torch.empty(T, d, dtype=torch.float64)
    table[:, 0::2] = torch.sin(angle)
    table[:, 1::2] = torch.cos(angle)
    return table.float()


class MultiHeadAttention(nn.Module):
    """Multi-head attention laid out like `torch.nn.MultiheadAttention(batch_first=True)`.

        head_j = Attention(Q W_j^Q, K W_j^K, V W_j^V)          for j = 1 … n_h
        MHA(Q, K, V) = [head_1, …, head_(n_h)] W^O

    The n_h projections of width D_h = D / n_h are computed as one `nn.Linear(D, D)` and
    then split: (N, T, D) -> (N, T, n_h, D_h) -> transpose -> (N, n_h, T, D_h).

    Attributes:
        q_proj, k_proj, v_proj, out_proj: `nn.Linear(D, D)` with bias.
    """

    def __init__(self, d_model: int, num_heads: int) -> None:
        super().__init__()
        if num_heads <= 0 or d_model % num_heads:
            raise ValueError(f"d_model={d_model} must be divisible by num_heads={num_heads}")
        self.num_heads = num_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    def _split_heads(self, x: Tensor) -> Tensor:
        """(N, T, D) -> (N, n_h, T, D_h)."""
        N, T, D = x.shape
        return x.view(N, T, self.num_heads, D // self.num_heads).transpose(1, 2)

    def forward(
        self, query: Tensor, key: Tensor, value: Tensor, mask: Tensor | None = None
    ) -> tuple[Tensor, Tensor]:
        """Attend from `query` to `key`/`value`.

        Args:
            query: (N, T_q, D). key: (N, T_k, D). value: (N, T_k, D).
            mask: bool, broadcastable to (N, n_h, T_q, T_k); True = may attend.

        Returns:
            out (N, T_q, D) and per-head weights (N, n_h, T_q, T_k).
        """
        q = self._split_heads(self.q_proj(query))
        k = self._split_heads(self.k_proj(key))
        v = self._split_heads(self.v_proj(value))
        heads, weights = scaled_dot_product_attention(q, k, v, mask)   # (N, n_h, T_q, D_h)
        N, _, T_q, _ = heads.shape
        merged = heads.transpose(1, 2).reshape(N, T_q, -1)              # (N, T_q, D)
        return self.out_proj(merged), weights

    @torch.no_grad()
    def load_from_torch(self, module: nn.MultiheadAttention) -> MultiHeadAttention:
        """Copy the weights of a `torch.nn.MultiheadAttention` (packed `in_proj_weight`)."""
        for proj, w, b in zip((self.q_proj, self.k_proj, self.v_proj),
                              module.in_proj_weight.chunk(3), module.in_proj_bias.chunk(3), strict=True):
            proj.weight.copy_(w)
            proj.bias.copy_(b)
        self.out_proj.weight.copy_(module.out_proj.weight)
        self.out_proj.bias.copy_(module.out_proj.bias)
        return self
