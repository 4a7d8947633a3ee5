r"""The pieces every sequence-to-sequence model shares: additive attention, teacher forcing's
decoder input, the padded loss, and decoding with greedy and beam search.

Shapes: N batch, S source positions, L target positions, H state width, A attention width,
V target vocabulary.

Decoding never sees a model, only a ``step`` function,

.. math:: \text{step}(y_{t-1}, s_{t-1}) = (\log p(\cdot \mid y_{<t}, x),\ s_t),

which feeds one token and returns the log-probabilities of the next one (a float tensor
``(V,)``) and the new decoder state. A step never changes the state it is given, so a search
may extend one state in several directions. :func:`greedy_decode` and :func:`beam_search`
work with any such function: a GRU decoder, a Transformer, or a table in a test.

These are the reference solutions of assignment a6_seq2seq; the assignment's hidden tests
check students' versions against independent oracles, never against this file.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor
from torch.nn import functional as F

Step = Callable[[int, Any], tuple[Tensor, Any]]


def additive_attention(query: Tensor, keys: Tensor, mask: Tensor | None, W_q: Tensor, W_k: Tensor,
                       v: Tensor) -> tuple[Tensor, Tensor]:
    """Bahdanau's additive attention of one decoder state over the encoder's outputs.

        e[n, s] = v · tanh(query[n] W_q + keys[n, s] W_k)
        weights[n] = softmax over s of e[n], masked positions excluded
        context[n] = Σ_s weights[n, s] keys[n, s]

    Args:
        query: the decoder state, (N, H).
        keys: the encoder outputs, (N, S, H); they are the values too.
        mask: bool (N, S), True = a real source position, or None for all of them.
            Every row must have at least one True.
        W_q: (H, A). W_k: (H, A). v: (A,).

    Returns:
        context (N, H) and weights (N, S): each row sums to 1, masked positions exactly 0.
    """
    hidden = torch.tanh((query @ W_q)[:, None, :] + keys @ W_k)   # (N, S, A)
    scores = hidden @ v                                             # (N, S)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))          # exp(-inf) = 0 exactly
    weights = torch.softmax(scores, dim=-1)                         # over the source positions
    context = (weights[:, :, None] * keys).sum(dim=1)               # (N, H)
    return context, weights


def shift_right(targets: Tensor, bos_id: int) -> Tensor:
    """The decoder's input under teacher forcing: bos_id, then the targets one step late.

    At step t the decoder reads the true previous token targets[:, t - 1] (bos_id at t = 0)
    and is trained to predict targets[:, t].

    Args:
        targets: LongTensor (N, L), not changed.

    Returns:
        LongTensor (N, L): column 0 is bos_id, columns 1 .. L-1 are targets[:, :L-1].
    """
    start = torch.full_like(targets[:, :1], bos_id)
    return torch.cat([start, targets[:, :-1]], dim=1)


def sequence_loss(logits: Tensor, targets: Tensor, pad_id: int) -> Tensor:
    """Mean cross-entropy over the real (non-padding) target positions.

        loss = −(1 / #real) Σ log softmax(logits[n, t])[targets[n, t]],
                   the sum over the real positions (n, t), those with targets[n, t] ≠ pad_id

    Every real token counts once, whatever the length of its sentence.

    Args:
        logits: (N, L, V). targets: LongTensor (N, L).
        pad_id: the id whose positions are left out.

    Returns:
        A scalar tensor that backpropagates into logits.
    """
    log_probs = F.log_softmax(logits, dim=-1)                             # stable, (N, L, V)
    safe = targets.masked_fill(targets == pad_id, 0)                      # any valid index
    picked = log_probs.gather(-1, safe[..., None])[..., 0]                # (N, L)
    real = targets != pad_id
    return -(picked * real).sum() / real.sum()


def greedy_decode(step: Step, state: Any, bos_id: int, eos_id: int, max_len: int) -> list[int]:
    """Feed bos_id, then always the most likely next token, until eos_id or max_len tokens.

    Returns:
        The chosen tokens, eos_id included when it was chosen, bos_id not.
    """
    tokens: list[int] = []
    token = bos_id
    for _ in range(max_len):
        log_probs, state = step(token, state)
        token = int(log_probs.argmax())
        tokens.append(token)
        if token == eos_id:
            break
    return tokens


def beam_search(step: Step, state: Any, bos_id: int, eos_id: int, beam_size: int,
                max_len: int) -> list[int]:
    """Keep the beam_size best partial outputs instead of one.

    A prefix's score is its log-probability, Σ_t log p(y_t | y_<t, x), with no length
    normalisation. Each round, every live prefix is extended by every token and the beam_size
    best extensions survive; a survivor ending in eos_id is finished and leaves the beam, so
    the next round again keeps beam_size extensions of the live ones.

    Returns:
        The best finished prefix (eos_id included), or the best live one if none finished
        within max_len rounds; bos_id is not part of it. beam_size = 1 is greedy decoding.
    """
    live: list[tuple[float, list[int], Any]] = [(0.0, [], state)]    # (score, tokens, state)
    finished: list[tuple[float, list[int]]] = []
    for _ in range(max_len):
        if not live:
            break
        extensions = []
        for score, tokens, prefix_state in live:
            log_probs, next_state = step(tokens[-1] if tokens else bos_id, prefix_state)
            for token, lp in enumerate(log_probs.tolist()):
                extensions.append((score + lp, tokens + [token], next_state))
        extensions.sort(key=lambda e: e[0], reverse=True)             # best first, over all prefixes
        live = []
        for score, tokens, next_state in extensions[:beam_size]:
            if tokens[-1] == eos_id:
                finished.append((score, tokens))
            else:
                live.append((score, tokens, next_state))
    pool = finished or [(score, tokens) for score, tokens, _ in live]
    return max(pool, key=lambda f: f[0])[1]
