r"""A character-level LSTM language model, temperature sampling and text generation.

Shapes: N batch (parallel streams), T time steps, D embedding size, H hidden units,
V vocabulary, L layers.

The model reads character ids and predicts, at every step, a distribution over the next
character:

.. math::
    e_t = E[x_t], \quad (h_t, c_t) = \mathrm{LSTM}(e_t, (h_{t-1}, c_{t-1})), \quad
    p(x_{t+1} \mid x_{\le t}) = \mathrm{softmax}(h_t W^\top + b).

Sampling divides the logits by a temperature :math:`\tau` before the softmax: :math:`\tau < 1`
sharpens the distribution towards the most likely character, :math:`\tau > 1` flattens it, and
:math:`\tau \to 0` is the argmax.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch
from torch import Tensor, nn

State = tuple[Tensor, Tensor]  # (h, c), each (L, N, H), as torch.nn.LSTM returns them


class CharLSTM(nn.Module):
    """Embedding → `torch.nn.LSTM` (batch first) → linear head over the vocabulary.

    Attributes:
        embed: `nn.Embedding(V, D)`.
        lstm: `nn.LSTM(D, H, num_layers, batch_first=True)`.
        head: `nn.Linear(H, V)`; it reads the LSTM's hidden state, so it is sized from H.
    """

    def __init__(self, vocab_size: int, embed_dim: int, hidden_size: int, num_layers: int = 1,
                 dropout: float = 0.0) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden_size, num_layers, batch_first=True,
                            dropout=dropout if num_layers > 1 else 0.0)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, x: Tensor, state: State | None = None) -> tuple[Tensor, State]:
        """x (N, T) int64 ids, state (h, c) each (L, N, H) or None for zeros.

        Returns:
            logits (N, T, V) and the final state (h, c), each (L, N, H).
        """
        out, state = self.lstm(self.embed(x), state)  # out (N, T, H)
        return self.head(out), state


def sample_next(logits: Tensor, temperature: float, generator: torch.Generator | None = None) -> int:
    """Draw one character id from softmax(logits / temperature):

        p_i = exp(z_i / τ) / ∑_j exp(z_j / τ)

    Args:
        logits: (V,) unnormalised scores z.
        temperature: τ ≥ 0; 0 returns the argmax (no randomness).
        generator: the source of randomness for `torch.multinomial`; the same seed gives
            the same draws.

    Raises:
        ValueError: for a negative temperature.
    """
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")
    if temperature == 0:
        return int(torch.argmax(logits))
    probs = torch.softmax(logits.detach().float() / temperature, dim=-1)
    return int(torch.multinomial(probs, 1, generator=generator))


def generate(model: nn.Module, stoi: Mapping[str, int], itos: Sequence[str], prompt: str, length: int,
             temperature: float = 1.0, generator: torch.Generator | None = None) -> str:
    """Continue prompt by length characters sampled one at a time.

    The prompt goes through the model once, as a (1, len(prompt)) batch; after that each new
    character is fed alone, (1, 1), with the state the previous call returned, so the model
    never re-reads its own output.

    Args:
        model: maps (x (1, T), state) to (logits (1, T, V), state), like CharLSTM.
        stoi, itos: the vocabulary, both directions.
        prompt: at least one character, all in stoi.
        length: number of characters to add.
        temperature, generator: passed to sample_next.

    Returns:
        prompt followed by length generated characters.
    """
    if not prompt:
        raise ValueError("generate needs a non-empty prompt to condition on")
    was_training = model.training
    model.eval()
    new: list[str] = []
    with torch.no_grad():
        x = torch.tensor([[stoi[ch] for ch in prompt]], dtype=torch.long)  # (1, T)
        logits, state = model(x)
        for i in range(length):
            idx = sample_next(logits[0, -1], temperature, generator)
            new.append(itos[idx])
            if i + 1 < length:  # the last character needs no prediction after it
                logits, state = model(torch.tensor([[idx]], dtype=torch.long), state)
    model.train(was_training)
    return prompt + "".join(new)
