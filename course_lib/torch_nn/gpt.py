r"""A small causal Transformer language model (decoder-only, GPT-style) in torch.

Shapes: N batch, T time steps (T <= B), B block size (the longest context), D model width
(``d_model``), n_h heads, D_h = D / n_h per-head width, F feed-forward width, V vocabulary,
L layers.

The model reads token ids and predicts, at every position, a distribution over the next
token, like :class:`~course_lib.torch_nn.char_lm.CharLSTM`; but instead of a state carried
from step to step, position t reads the representations of positions 1..t directly, through
causal self-attention. One pre-norm block (as in GPT-2 and nanoGPT):

.. math::
    \begin{aligned}
    X &\leftarrow X + \operatorname{MHA}\big(\operatorname{LN}_1(X)\big)
        \quad \text{(causal: query } t \text{ sees keys } \le t) \\
    X &\leftarrow X + \operatorname{GELU}\big(\operatorname{LN}_2(X)\, W_1^\top + b_1\big) W_2^\top + b_2
    \end{aligned}

The whole model: :math:`X_0 = E[x] + P[0..T-1]` (learned token and position embeddings),
L blocks, a final LayerNorm, and a linear head to V logits (optionally sharing its weight
with :math:`E`, "weight tying").

Attention runs through ``torch.nn.functional.scaled_dot_product_attention`` with
``is_causal=True``: on a CPU it is a fused kernel that never stores the (N, n_h, T, T) weights
for the backward pass, so training is faster and its activation memory grows with T, not T^2.
It computes the same numbers as course_lib's
:func:`~course_lib.torch_nn.attention.scaled_dot_product_attention` with a
:func:`~course_lib.torch_nn.attention.causal_mask`, which ``need_weights=True`` uses instead
to return the weights (tests check the two agree).
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from typing import cast

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from course_lib.torch_nn import attention

# Standard deviation of the initial weights of every Linear and Embedding (GPT-2, nanoGPT):
# small enough that the residual stream starts near the embeddings and the logits near 0.
INIT_STD = 0.02


class CausalSelfAttention(nn.Module):
    """Multi-head self-attention in which position t attends to positions s ≤ t only.

        head_j = softmax(Q_j K_jᵀ / √D_h + M) V_j,   M[t, s] = 0 if s ≤ t, −∞ if s > t

    Laid out like chapter 8's `MultiHeadAttention` (one `nn.Linear(D, D)` each for queries,
    keys, values and the output), so the weights of one copy into the other; `bias=False`
    drops every bias, as nanoGPT's recipes do.

    Attributes:
        q_proj, k_proj, v_proj, out_proj: `nn.Linear(D, D, bias=bias)`.
    """

    def __init__(self, d_model: int, num_heads: int, bias: bool = True) -> None:
        super().__init__()
        if num_heads <= 0 or d_model % num_heads:
            raise ValueError(f"d_model={d_model} must be divisible by num_heads={num_heads}")
        self.num_heads = num_heads
        self.q_proj = nn.Linear(d_model, d_model, bias=bias)
        self.k_proj = nn.Linear(d_model, d_model, bias=bias)
        self.v_proj = nn.Linear(d_model, d_model, bias=bias)
        self.out_proj = nn.Linear(d_model, d_model, bias=bias)

    def forward(self, x: Tensor, need_weights: bool = False) -> tuple[Tensor, Tensor | None]:
        """x (N, T, D) -> (y (N, T, D), weights (N, n_h, T, T) if `need_weights` else None)."""
        N, T, D = x.shape
        # (N, T, D) -> (N, T, n_h, D_h) -> (N, n_h, T, D_h): the heads become a batch dimension
        q, k, v = (proj(x).view(N, T, self.num_heads, D // self.num_heads).transpose(1, 2)
                   for proj in (self.q_proj, self.k_proj, self.v_proj))
        weights = None
        if need_weights:  # course_lib's attention: the same numbers, and the weights to look at
            y, weights = attention.scaled_dot_product_attention(
                q, k, v, attention.causal_mask(T, device=x.device))
        else:  # PyTorch's fused kernel: no (N, n_h, T, T) tensor kept for the backward pass
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        y = y.transpose(1, 2).reshape(N, T, D)  # (N, n_h, T, D_h) -> (N, T, D): heads side by side
        return self.out_proj(y), weights


class DecoderBlock(nn.Module):
    """A pre-norm Transformer block: LayerNorm before each sublayer, a residual around each.

        X ← X + CausalSelfAttention(LayerNorm₁(X))
        X ← X + GELU(LayerNorm₂(X) W₁ᵀ + b₁) W₂ᵀ + b₂

    The parts of chapter 8's post-norm encoder block, in the order GPT-2 uses. With the same
    weights it equals `nn.TransformerEncoderLayer(D, n_h, F, dropout=0, activation="gelu",
    batch_first=True, norm_first=True)` called with a causal mask.

    Attributes:
        norm1, norm2: `nn.LayerNorm(D, bias=bias)`.
        attn: `CausalSelfAttention(D, n_h)`.
        ff1 (D -> F), ff2 (F -> D): the position-wise feed-forward net, GELU between them.
        dropout: on each sublayer's output before it joins the residual stream.
    """

    def __init__(self, d_model: int, num_heads: int, d_ff: int, dropout: float = 0.0,
                 bias: bool = True) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(d_model, bias=bias)
        self.attn = CausalSelfAttention(d_model, num_heads, bias=bias)
        self.norm2 = nn.LayerNorm(d_model, bias=bias)
        self.ff1 = nn.Linear(d_model, d_ff, bias=bias)
        self.ff2 = nn.Linear(d_ff, d_model, bias=bias)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        """x (N, T, D) -> x (N, T, D)."""
        return self.residual_steps(x, need_weights=False)[0]

    def forward_with_weights(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """x (N, T, D) -> (x (N, T, D), attention weights (N, n_h, T, T)), by explicit attention."""
        x, weights = self.residual_steps(x, need_weights=True)
        assert weights is not None
        return x, weights

    def residual_steps(self, x: Tensor, need_weights: bool) -> tuple[Tensor, Tensor | None]:
        """The block's two residual steps; the weights only if `need_weights`."""
        attended, weights = self.attn(self.norm1(x), need_weights)
        x = x + self.dropout(attended)                                      # residual 1
        x = x + self.dropout(self.ff2(F.gelu(self.ff1(self.norm2(x)))))     # residual 2
        return x, weights


class GPT(nn.Module):
    """A decoder-only Transformer language model (GPT-style).

        X₀ = E[idx] + P[0 … T−1]             token and position embeddings, (N, T, D)
        X_l = DecoderBlock_l(X_(l−1))        for l = 1 … L
        logits = LayerNorm(X_L) W_headᵀ      (N, T, V); tied: W_head = E

    Args:
        vocab_size: V.
        block_size: B, the longest context (the number of learned position embeddings).
        d_model, num_heads, num_layers: D, n_h, L.
        d_ff: F; None for 4 D, as in GPT-2.
        dropout: on the embeddings and on every sublayer's output (0 turns it off).
        bias: biases in every Linear and LayerNorm (nanoGPT's recipes use False).
        tie_weights: the head uses the token embedding's weight E (V, D), which saves V D
            parameters and ties what a character means as input to what predicts it.

    Attributes:
        tok_embed: `nn.Embedding(V, D)`. pos_embed: `nn.Embedding(B, D)`.
        blocks: L `DecoderBlock`s. norm: `nn.LayerNorm(D)`. head: `nn.Linear(D, V, bias=False)`.

    Weights start as nanoGPT's do: N(0, 0.02²) for every Linear and Embedding, zero biases, and
    a standard deviation of 0.02 / √(2 L) for the two projections that write into the residual
    stream (`attn.out_proj`, `ff2`), so the stream's variance does not grow with depth.
    """

    def __init__(self, vocab_size: int, block_size: int, d_model: int = 128, num_heads: int = 4,
                 num_layers: int = 4, d_ff: int | None = None, dropout: float = 0.0, bias: bool = True,
                 tie_weights: bool = True) -> None:
        super().__init__()
        self.block_size = block_size
        self.tok_embed = nn.Embedding(vocab_size, d_model)
        self.pos_embed = nn.Embedding(block_size, d_model)
        self.dropout = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(
            DecoderBlock(d_model, num_heads, d_ff or 4 * d_model, dropout, bias) for _ in range(num_layers))
        self.norm = nn.LayerNorm(d_model, bias=bias)
        self.head = nn.Linear(d_model, vocab_size, bias=False)
        if tie_weights:
            self.head.weight = self.tok_embed.weight
        self.apply(_init_weights)
        for name, param in self.named_parameters():  # residual projections, scaled with depth (GPT-2)
            if name.endswith(("attn.out_proj.weight", "ff2.weight")):
                nn.init.normal_(param, std=INIT_STD / math.sqrt(2 * num_layers))

    def forward(self, idx: Tensor) -> Tensor:
        """idx (N, T) int64 ids, T ≤ B -> logits (N, T, V) for the token after each position."""
        return self._run(idx, need_weights=False)[0]

    def forward_with_weights(self, idx: Tensor) -> tuple[Tensor, list[Tensor]]:
        """The logits, computed with explicit attention, and every layer's weights (N, n_h, T, T)."""
        logits, weights = self._run(idx, need_weights=True)
        return logits, weights  # type: ignore[return-value]

    def _run(self, idx: Tensor, need_weights: bool) -> tuple[Tensor, list[Tensor | None]]:
        T = idx.shape[1]
        if T > self.block_size:
            raise ValueError(f"a sequence of {T} tokens is longer than the block size {self.block_size}")
        positions = torch.arange(T, device=idx.device)
        x = self.dropout(self.tok_embed(idx) + self.pos_embed(positions))  # (N, T, D) + (T, D)
        all_weights = []
        for block in cast(Iterable[DecoderBlock], self.blocks):
            x, weights = block.residual_steps(x, need_weights)
            all_weights.append(weights)
        return self.head(self.norm(x)), all_weights                         # (N, T, V)

    def num_parameters(self) -> int:
        """Trainable parameters, a tied weight counted once."""
        return sum(p.numel() for p in self.parameters())


def _init_weights(module: nn.Module) -> None:
    if isinstance(module, nn.Linear | nn.Embedding):
        nn.init.normal_(module.weight, std=INIT_STD)
    if isinstance(module, nn.Linear) and module.bias is not None:
        nn.init.zeros_(module.bias)
