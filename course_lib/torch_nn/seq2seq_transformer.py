r"""A Transformer encoder–decoder built from the course's attention pieces.

Shapes: N batch, S source positions, L target positions, D model width (``d_model``),
n_h heads, F feed-forward width, V_src and V_tgt the two vocabularies.

The encoder is a stack of :class:`~course_lib.torch_nn.transformer.EncoderBlock` (self-
attention over the source, padding masked). Each decoder block has three sublayers, each with
a residual connection and a LayerNorm after it (post-norm, as the original Transformer and
the encoder block):

.. math::
    \begin{aligned}
    A &= \operatorname{LayerNorm}\big(Y + \operatorname{MHA}(Y, Y, Y;\ \text{causal})\big)
       && \text{masked self-attention: position } t \text{ sees } y_{\le t} \\
    B &= \operatorname{LayerNorm}\big(A + \operatorname{MHA}(A, M, M;\ \text{source padding})\big)
       && \text{cross-attention: queries from the decoder, keys and values from the encoder} \\
    Z &= \operatorname{LayerNorm}\big(B + \operatorname{ReLU}(B W_1^\top + b_1) W_2^\top + b_2\big)
    \end{aligned}

where :math:`M` (N, S, D) is the encoder's output, the *memory*. Sinusoidal positions are
added to the token embeddings on both sides. (The original Transformer also multiplies the
embeddings by :math:`\sqrt{D}`, because it initialises them with variance :math:`1/D`;
``nn.Embedding`` starts at variance 1, so the product would be 8 times the positions' size at
D = 64 and drown them: on the numbers task that halved the accuracy of a short training run.)
Masks are bool, ``True`` = may attend (:mod:`course_lib.torch_nn.attention`).
"""
from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn

from course_lib.data.translation import PAD_ID
from course_lib.torch_nn.attention import MultiHeadAttention, causal_mask, positional_encoding
from course_lib.torch_nn.transformer import EncoderBlock

Fed = tuple[int, ...]  # the Transformer's decoding state: the tokens fed so far


class DecoderBlock(nn.Module):
    """Masked self-attention, cross-attention over the memory, and a feed-forward net.

        A = norm1(Y + MHA(Y, Y, Y; causal mask))            position t reads y_1 .. y_t only
        B = norm2(A + MHA(A, M, M; source padding mask))    queries: the decoder; keys, values: the encoder
        Z = norm3(B + ff2(ReLU(ff1(B))))

    Attributes:
        self_attn, cross_attn: course_lib.torch_nn.attention.MultiHeadAttention (D, n_h).
        ff1 (F <- D), ff2 (D <- F); norm1, norm2, norm3: nn.LayerNorm(D).
    """

    def __init__(self, d_model: int, num_heads: int, d_ff: int) -> None:
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, num_heads)
        self.cross_attn = MultiHeadAttention(d_model, num_heads)
        self.ff1 = nn.Linear(d_model, d_ff)
        self.ff2 = nn.Linear(d_ff, d_model)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.norm3 = nn.LayerNorm(d_model)

    def forward(self, y: Tensor, memory: Tensor, memory_mask: Tensor | None) -> tuple[Tensor, Tensor]:
        """y (N, L, D), memory (N, S, D), memory_mask bool (N, S) or None.

        Returns out (N, L, D) and the cross-attention weights (N, n_h, L, S).
        """
        L = y.shape[1]
        a = self.norm1(y + self.self_attn(y, y, y, causal_mask(L, device=y.device))[0])
        keys_ok = None if memory_mask is None else memory_mask[:, None, None, :]   # (N, 1, 1, S)
        attended, weights = self.cross_attn(a, memory, memory, keys_ok)
        b = self.norm2(a + attended)
        return self.norm3(b + self.ff2(torch.relu(self.ff1(b)))), weights

    @torch.no_grad()
    def load_from_torch(self, layer: nn.TransformerDecoderLayer) -> DecoderBlock:
        """Copy the weights of a post-norm, ReLU nn.TransformerDecoderLayer (for testing)."""
        self.self_attn.load_from_torch(layer.self_attn)
        self.cross_attn.load_from_torch(layer.multihead_attn)
        for mine, theirs in (("ff1", "linear1"), ("ff2", "linear2"), ("norm1", "norm1"), ("norm2", "norm2"),
                             ("norm3", "norm3")):
            getattr(self, mine).load_state_dict(getattr(layer, theirs).state_dict())
        return self


class Seq2SeqTransformer(nn.Module):
    """Embeddings and positions, num_layers encoder blocks, num_layers decoder blocks, a head.

        M = encoder blocks(src_embed(x) + PE)      the memory, (N, S, D)
        Z = decoder blocks(tgt_embed(y_in) + PE, M)
        logits = head(Z)                           (N, L, V_tgt)

    Attributes:
        src_embed (V_src, D), tgt_embed (V_tgt, D); encoder: nn.ModuleList of EncoderBlock;
        decoder: nn.ModuleList of DecoderBlock; head: nn.Linear(D, V_tgt).
    """

    def __init__(self, src_vocab: int, tgt_vocab: int, *, d_model: int = 64, num_heads: int = 4,
                 d_ff: int = 128, num_layers: int = 2, max_len: int = 64) -> None:
        super().__init__()
        self.d_model = d_model
        self.src_embed = nn.Embedding(src_vocab, d_model, padding_idx=PAD_ID)
        self.tgt_embed = nn.Embedding(tgt_vocab, d_model, padding_idx=PAD_ID)
        self.encoder = nn.ModuleList(EncoderBlock(d_model, num_heads, d_ff) for _ in range(num_layers))
        self.decoder = nn.ModuleList(DecoderBlock(d_model, num_heads, d_ff) for _ in range(num_layers))
        self.head = nn.Linear(d_model, tgt_vocab)
        self.positions: Tensor
        self.register_buffer("positions", positional_encoding(max_len, d_model), persistent=False)

    def _embed(self, table: nn.Embedding, ids: Tensor) -> Tensor:
        return table(ids) + self.positions[: ids.shape[1]]

    def encode(self, src: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        """src (N, S), lengths (N,) -> (memory (N, S, D), source mask (N, S) bool)."""
        mask = torch.arange(src.shape[1], device=src.device) < lengths[:, None]
        x = self._embed(self.src_embed, src)
        for block in self.encoder:
            x = block(x, mask[:, None, None, :])
        return x, mask

    def decode(self, tgt_in: Tensor, memory: Tensor, mask: Tensor) -> tuple[Tensor, list[Tensor]]:
        """tgt_in (N, L) -> (logits (N, L, V_tgt), per-layer cross-attention weights (N, n_h, L, S))."""
        y = self._embed(self.tgt_embed, tgt_in)
        weights = []
        for block in self.decoder:
            y, w = block(y, memory, mask)
            weights.append(w)
        return self.head(y), weights

    def forward(self, src: Tensor, lengths: Tensor, tgt_in: Tensor) -> tuple[Tensor, list[Tensor]]:
        """Teacher forcing, all L positions at once (the causal mask hides the future)."""
        memory, mask = self.encode(src, lengths)
        return self.decode(tgt_in, memory, mask)

    def step_function(self, src: Tensor) -> tuple[Callable[[int, Fed], tuple[Tensor, Fed]], Fed]:
        """The step(token, state) of one source sentence (S,), and its first state.

        The state is the tuple of tokens fed so far (empty at first). Without a cache of keys
        and values, a step re-reads the whole prefix (the causal mask makes that equal to
        reading it one token at a time) and returns the log-probabilities at its last position.
        """
        with torch.no_grad():
            memory, mask = self.encode(src[None], torch.tensor([len(src)]))

        def step(token: int, fed: Fed) -> tuple[Tensor, Fed]:
            fed = (*fed, int(token))
            with torch.no_grad():
                logits, _ = self.decode(torch.tensor([fed]), memory, mask)
            return torch.log_softmax(logits[0, -1], dim=-1), fed

        return step, ()

    @torch.no_grad()
    def greedy(self, src: Tensor, lengths: Tensor, bos_id: int, eos_id: int,
               max_len: int) -> tuple[Tensor, list[Tensor]]:
        """Greedy decoding of a batch (for evaluation), as Seq2SeqGRU.greedy does it.

        Returns:
            ids (N, max_len), each row read up to its first eos_id, and the cross-attention
            weights of the last decoder pass, per layer (N, n_h, L', S), L' <= max_len the steps taken.
        """
        memory, mask = self.encode(src, lengths)
        fed = torch.full((src.shape[0], 1), bos_id, dtype=torch.long)
        done = torch.zeros(src.shape[0], dtype=torch.bool)
        weights: list[Tensor] = []
        for _ in range(max_len):
            logits, weights = self.decode(fed, memory, mask)
            token = logits[:, -1].argmax(-1).masked_fill(done, PAD_ID)
            fed = torch.cat([fed, token[:, None]], dim=1)
            done |= token == eos_id
            if bool(done.all()):
                break
        ids = torch.nn.functional.pad(fed[:, 1:], (0, max_len - fed.shape[1] + 1), value=PAD_ID)
        return ids, weights
