r"""A Transformer encoder block, a tiny encoder model and an LSTM baseline, in torch.

Shapes: N batch, T time steps, D model width (``d_model``), n_h heads, F feed-forward width,
V vocabulary, C output classes.

The block is the post-norm layer of the original Transformer, the default of
``torch.nn.TransformerEncoderLayer`` (``norm_first=False``, ReLU, here without dropout):

.. math::
    \begin{aligned}
    Z &= \operatorname{LayerNorm}\big(X + \operatorname{MHA}(X, X, X)\big) \\
    Y &= \operatorname{LayerNorm}\big(Z + \operatorname{ReLU}(Z W_1^\top + b_1) W_2^\top + b_2\big)
    \end{aligned}

Masks follow :mod:`course_lib.torch_nn.attention`: bool, ``True`` = may attend.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import cast

import torch
from torch import Tensor, nn

from course_lib.torch_nn.attention import MultiHeadAttention, positional_encoding


class EncoderBlock(nn.Module):
    """Self-attention and a position-wise feed-forward net, each with a residual and LayerNorm.

    Attributes:
        attn: `course_lib.torch_nn.attention.MultiHeadAttention(D, n_h)`.
        ff1 (F <- D), ff2 (D <- F): the feed-forward net, `linear1` and `linear2` in torch.
        norm1, norm2: `nn.LayerNorm(D)`, after the attention and after the feed-forward net.
    """

    def __init__(self, d_model: int, num_heads: int, d_ff: int) -> None:
        super().__init__()
        self.attn = MultiHeadAttention(d_model, num_heads)
        self.ff1 = nn.Linear(d_model, d_ff)
        self.ff2 = nn.Linear(d_ff, d_model)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)

    def forward(self, x: Tensor, mask: Tensor | None = None) -> Tensor:
        """x (N, T, D), mask bool broadcastable to (N, n_h, T, T), True = may attend -> (N, T, D)."""
        return self.forward_with_weights(x, mask)[0]

    def forward_with_weights(self, x: Tensor, mask: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """As `forward`, and the attention weights too: (y (N, T, D), weights (N, n_h, T, T))."""
        attended, weights = self.attn(x, x, x, mask)
        z = self.norm1(x + attended)                            # residual, then LayerNorm
        y = self.norm2(z + self.ff2(torch.relu(self.ff1(z))))   # position-wise FFN, residual, LayerNorm
        return y, weights

    @torch.no_grad()
    def load_from_torch(self, layer: nn.TransformerEncoderLayer) -> EncoderBlock:
        """Copy the weights of a post-norm, ReLU `nn.TransformerEncoderLayer`."""
        self.attn.load_from_torch(layer.self_attn)
        for mine, theirs in (("ff1", "linear1"), ("ff2", "linear2"), ("norm1", "norm1"), ("norm2", "norm2")):
            getattr(self, mine).load_state_dict(getattr(layer, theirs).state_dict())
        return self


class TinyTransformer(nn.Module):
    """Token embedding + sinusoidal positions + a stack of :class:`EncoderBlock` + a linear head.

    ``use_positions=False`` leaves positions out, which makes the model permutation
    equivariant (the chapter shows this).
    """

    def __init__(self, vocab_size: int, num_classes: int, *, d_model: int = 32, num_heads: int = 2,
                 num_layers: int = 1, dim_feedforward: int = 64, max_len: int = 512,
                 use_positions: bool = True) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size, d_model)
        self.blocks = nn.ModuleList(
            EncoderBlock(d_model, num_heads, dim_feedforward) for _ in range(num_layers))
        self.head = nn.Linear(d_model, num_classes)
        self.use_positions = use_positions
        self.positions: Tensor
        self.register_buffer("positions", positional_encoding(max_len, d_model), persistent=False)

    def forward(self, ids: Tensor, mask: Tensor | None = None) -> tuple[Tensor, list[Tensor]]:
        """ids (N, T) -> (logits (N, T, C), per-layer weights, each (N, n_h, T, T))."""
        x = self.embed(ids)                                           # (N, T, D)
        if self.use_positions:
            x = x + self.positions[: ids.shape[1]]
        all_weights = []
        for block in self.blocks:
            x, weights = cast(EncoderBlock, block).forward_with_weights(x, mask)
            all_weights.append(weights)
        return self.head(x), all_weights


class LSTMTagger(nn.Module):
    """Embedding + one-layer batch-first ``nn.LSTM`` + a linear head at every step: the baseline."""

    def __init__(self, vocab_size: int, num_classes: int, *, embed_dim: int = 32,
                 hidden_size: int = 64) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, num_classes)

    def forward(self, ids: Tensor) -> Tensor:
        """ids (N, T) -> logits (N, T, C)."""
        output, _ = self.lstm(self.embed(ids))
        return self.head(output)


def saved_tensor_bytes(run: Callable[[], Tensor]) -> int:
    """Bytes of the distinct tensors autograd keeps for the backward pass while ``run()`` executes.

    This is the activation memory that training pays for: the attention weights (N, n_h, T, T)
    of every layer for a Transformer, every step's gates and states (N, T, ...) for an LSTM.
    Storages saved more than once are counted once.
    """
    seen: dict[tuple[int, int], int] = {}

    def pack(tensor: Tensor) -> Tensor:
        storage = tensor.untyped_storage()
        seen[(storage.data_ptr(), storage.nbytes())] = storage.nbytes()
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        run()
    return sum(seen.values())
