r"""GRU encoder–decoders, without attention and with Bahdanau's additive attention.

Shapes: N batch, S source positions, L target positions, E embedding width, H state width,
A attention width, V_src and V_tgt the two vocabularies.

**Encoder** (both models): a bidirectional GRU over the embedded source, packed so that
padding never enters it. Its outputs at each position, the forward and backward directions
summed, are the *keys* :math:`k_s` (N, S, H); the sum of the two final states starts the
decoder, :math:`s_0`.

**Decoder without attention** (Sutskever et al., Cho et al., 2014): everything the decoder
knows about the source is :math:`s_0`, one vector of H numbers, the *bottleneck*:

.. math:: s_t = \operatorname{GRU}(E y_{t-1}, s_{t-1}), \qquad z_t = W_o s_t + b_o.

**Decoder with attention** (Bahdanau et al., 2015): before each step the previous state asks
the encoder outputs where to look, and what it reads, the context :math:`c_t`, is fed in:

.. math::
    c_t, \alpha_t = \operatorname{additive\_attention}(s_{t-1}, k, m), \qquad
    s_t = \operatorname{GRU}([E y_{t-1}; c_t], s_{t-1}), \qquad
    z_t = W_o [s_t; c_t] + b_o.

Both models train with teacher forcing (``forward`` reads the true previous tokens) and decode
one token at a time with :meth:`Seq2SeqGRU.decode_step`, or through :func:`step_function`,
the ``step(token, state)`` interface of :func:`~course_lib.torch_nn.seq2seq.greedy_decode`.
"""
from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from course_lib.data.translation import PAD_ID
from course_lib.torch_nn.seq2seq import additive_attention

Attention = Callable[..., tuple[Tensor, Tensor]]


class Encoder(nn.Module):
    """Embedding + bidirectional GRU; the two directions are summed, so outputs stay H wide."""

    def __init__(self, vocab_size: int, embed_dim: int, hidden_size: int) -> None:
        super().__init__()
        self.hidden_size = hidden_size
        self.embed = nn.Embedding(vocab_size, embed_dim, padding_idx=PAD_ID)
        self.gru = nn.GRU(embed_dim, hidden_size, batch_first=True, bidirectional=True)

    def forward(self, src: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        """src (N, S) right-padded, lengths (N,) -> keys (N, S, H) (zero at padding), s_0 (N, H)."""
        packed = pack_padded_sequence(self.embed(src), lengths.cpu(), batch_first=True, enforce_sorted=False)
        out, h_n = self.gru(packed)                                           # h_n (2, N, H)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=src.shape[1])
        keys = out[..., : self.hidden_size] + out[..., self.hidden_size :]    # forward + backward
        return keys, h_n[0] + h_n[1]


class Seq2SeqGRU(nn.Module):
    """An encoder–decoder GRU, with (attention=True) or without additive attention.

    Without attention:  s_t = GRU(E y_(t−1), s_(t−1)),                 z_t = head(s_t)
    With attention:     c_t, α_t = additive_attention(s_(t−1), keys, mask, W_q, W_k, v)
                        s_t = GRU([E y_(t−1); c_t], s_(t−1)),          z_t = head([s_t; c_t])

    Attributes:
        encoder: the Encoder. embed: the target embedding (V_tgt, E).
        rnn: a one-layer batch-first nn.GRU (input E, or E + H with attention).
        head: nn.Linear to V_tgt, from s_t (or [s_t; c_t] with attention).
        W_q (H, A), W_k (H, A), v (A,): the attention's parameters (with attention only).
        attention_fn: the function that computes the attention, course_lib's additive_attention
            unless one is given (the assignment plugs in the student's own).
    """

    def __init__(self, src_vocab: int, tgt_vocab: int, *, embed_dim: int = 32, hidden_size: int = 128,
                 attention: bool = True, attention_size: int = 64,
                 attention_fn: Attention | None = None) -> None:
        super().__init__()
        self.attention = attention
        self.attention_fn = attention_fn or additive_attention
        self.encoder = Encoder(src_vocab, embed_dim, hidden_size)
        self.embed = nn.Embedding(tgt_vocab, embed_dim, padding_idx=PAD_ID)
        context = hidden_size if attention else 0
        self.rnn = nn.GRU(embed_dim + context, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size + context, tgt_vocab)
        if attention:
            # scaled like nn.Linear's default init, uniform in +-1/sqrt(fan_in)
            bound_h, bound_a = hidden_size**-0.5, attention_size**-0.5
            self.W_q = nn.Parameter(torch.empty(hidden_size, attention_size).uniform_(-bound_h, bound_h))
            self.W_k = nn.Parameter(torch.empty(hidden_size, attention_size).uniform_(-bound_h, bound_h))
            self.v = nn.Parameter(torch.empty(attention_size).uniform_(-bound_a, bound_a))

    def encode(self, src: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """-> (keys (N, S, H), source mask (N, S) bool, s_0 (N, H))."""
        keys, s0 = self.encoder(src, lengths)
        mask = torch.arange(src.shape[1], device=src.device) < lengths[:, None]
        return keys, mask, s0

    def decode_step(self, tokens: Tensor, s: Tensor, keys: Tensor,
                    mask: Tensor) -> tuple[Tensor, Tensor, Tensor | None]:
        """One decoder step for a batch.

        tokens (N,), s_(t−1) (N, H) -> (logits (N, V), s_t (N, H), α_t (N, S) or None).
        """
        x = self.embed(tokens)                                                 # (N, E)
        if not self.attention:
            s = self.rnn(x[:, None], s[None])[1][0]                           # one GRU step
            return self.head(s), s, None
        context, weights = self.attention_fn(s, keys, mask, self.W_q, self.W_k, self.v)  # (N, H), (N, S)
        s = self.rnn(torch.cat([x, context], dim=-1)[:, None], s[None])[1][0]
        return self.head(torch.cat([s, context], dim=-1)), s, weights

    def forward(self, src: Tensor, lengths: Tensor, tgt_in: Tensor) -> tuple[Tensor, Tensor | None]:
        """Teacher forcing: src (N, S), lengths (N,), tgt_in (N, L) the true previous tokens.

        Returns:
            logits (N, L, V_tgt) and the attention weights (N, L, S), or None without attention.
        """
        keys, mask, s = self.encode(src, lengths)
        if not self.attention:  # every input is known: run the GRU over all L steps at once
            out, _ = self.rnn(self.embed(tgt_in), s[None])                    # (N, L, H)
            return self.head(out), None
        logits, weights = [], []
        for t in range(tgt_in.shape[1]):
            z, s, alpha = self.decode_step(tgt_in[:, t], s, keys, mask)
            assert alpha is not None
            logits.append(z)
            weights.append(alpha)
        return torch.stack(logits, dim=1), torch.stack(weights, dim=1)

    def step_function(self, src: Tensor) -> tuple[Callable[[int, Tensor], tuple[Tensor, Tensor]], Tensor]:
        """The step(token, state) of one source sentence, and its first state s_0.

        Args:
            src: one sentence's source ids, (S,), without padding.

        Returns:
            step, mapping a token and s_(t−1) (1, H) to (log-probabilities (V_tgt,), s_t), and
            s_0 (1, H). The encoder runs once, here; step closes over its outputs and never
            changes the state it is given (the GRU returns a new tensor).
        """
        with torch.no_grad():
            keys, mask, s0 = self.encode(src[None], torch.tensor([len(src)]))

        def step(token: int, s: Tensor) -> tuple[Tensor, Tensor]:
            with torch.no_grad():
                logits, s_next, _ = self.decode_step(torch.tensor([token]), s, keys, mask)
            return torch.log_softmax(logits[0], dim=-1), s_next

        return step, s0

    @torch.no_grad()
    def greedy(self, src: Tensor, lengths: Tensor, bos_id: int, eos_id: int,
               max_len: int) -> tuple[Tensor, Tensor | None]:
        """Greedy decoding of a whole batch at once (for evaluation): the same choices as
        course_lib.torch_nn.seq2seq.greedy_decode on each sentence alone.

        Returns:
            ids (N, max_len), each row read up to its first eos_id (later ids are padding), and
            the attention weights (N, L', S) of the L' <= max_len steps taken, or None.
        """
        keys, mask, s = self.encode(src, lengths)
        token = torch.full((src.shape[0],), bos_id, dtype=torch.long)
        done = torch.zeros(src.shape[0], dtype=torch.bool)
        out, weights = [], []
        for _ in range(max_len):
            logits, s, alpha = self.decode_step(token, s, keys, mask)
            token = logits.argmax(-1).masked_fill(done, PAD_ID)
            out.append(token)
            if alpha is not None:
                weights.append(alpha)
            done |= token == eos_id
            if bool(done.all()):
                break
        ids = torch.stack(out, dim=1)
        ids = torch.nn.functional.pad(ids, (0, max_len - ids.shape[1]), value=PAD_ID)
        return ids, (torch.stack(weights, dim=1) if weights else None)
