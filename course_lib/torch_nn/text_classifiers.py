r"""Seed 001's two Keras text classifiers in PyTorch (trained by :mod:`course_lib.training.classification`).

Shapes: N batch, T time steps (tokens), D embedding width (the LSTM's input features),
H hidden units, V vocabulary, C classes (``C = 1`` means one logit for a binary task).

* :class:`LSTMClassifier` — ``Embedding(V, D) -> LSTM(H) -> Linear(H, C)`` (Reuters topics).
* :class:`ConvLSTMClassifier` — ``Embedding -> Dropout -> Conv1d(D, 64, 5) + ReLU ->
  MaxPool1d(4) -> LSTM(H) -> Linear(H, 1)`` (IMDB sentiment).

Both read the LSTM's last hidden state :math:`h_T`, the summary of the whole sequence:

.. math:: \text{logits} = h_T W^\top + b, \qquad
          p(y = c \mid x) = \operatorname{softmax}(\text{logits})_c
          \;\;(\text{or } \sigma(\text{logit}) \text{ when } C = 1).

The embedding has no ``padding_idx``: as in Keras without ``mask_zero``, the row of the
padding id 0 is an ordinary, trained row.

Passing ``lengths`` packs the batch (see ``torch.nn.utils.rnn.pack_padded_sequence``): the LSTM
then stops at each sequence's last real token. That needs **post**-padded ids (real tokens first).
Without ``lengths`` the LSTM reads every position, padding included, as Keras does in seed 001;
then **pre**-padding is the right choice, so the final state comes right after the last word.
"""
from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence

KERAS_EMBEDDING_SCALE = 0.05  # Keras' Embedding default: uniform(-0.05, 0.05)


def keras_init_(module: nn.Module) -> nn.Module:
    """Re-initialise like Keras' defaults, in place: the seed's models start from the same place.

    Embedding: U(-0.05, 0.05). LSTM: Glorot-uniform input weights, orthogonal recurrent
    weights, zero biases except the forget gate's, which starts at 1 (``unit_forget_bias``).
    Linear and Conv1d: Glorot-uniform weights, zero bias.
    """
    for m in module.modules():
        if isinstance(m, nn.Embedding):
            nn.init.uniform_(m.weight, -KERAS_EMBEDDING_SCALE, KERAS_EMBEDDING_SCALE)
        elif isinstance(m, nn.LSTM):
            H = m.hidden_size
            for name, p in m.named_parameters():
                if name.startswith("weight_ih"):
                    for gate in p.data.chunk(4, dim=0):  # Keras initialises the four gates jointly;
                        nn.init.xavier_uniform_(gate)    # per gate is close and keeps the scale
                elif name.startswith("weight_hh"):
                    for gate in p.data.chunk(4, dim=0):
                        nn.init.orthogonal_(gate)
                else:
                    nn.init.zeros_(p)
                    if name.startswith("bias_ih"):
                        p.data[H:2 * H] = 1.0  # gate order i, f, g, o: the f slice
        elif isinstance(m, (nn.Linear, nn.Conv1d)):
            nn.init.xavier_uniform_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
    return module


def _last_state(lstm: nn.LSTM, x: Tensor, lengths: Tensor | None) -> Tensor:
    """h_T (N, H) of a batch-first LSTM over x (N, T, D), packed if ``lengths`` is given."""
    inputs: Tensor | PackedSequence = x
    if lengths is not None:
        inputs = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
    _, (h_n, _) = lstm(inputs)  # h_n (num_layers, N, H), rows back in input order
    return h_n[-1]


class LSTMClassifier(nn.Module):
    """Embedding -> LSTM -> Linear on the last hidden state (seed 001's Reuters model).

    Args:
        vocab_size: V (ids 0 … V−1; 0 is padding, with an ordinary, trained row as in Keras).
        num_classes: C.
        embed_dim: D, the embedding width = the LSTM's input size (100 in the seed).
        hidden_size: H (100 in the seed).
    """

    def __init__(self, vocab_size: int, num_classes: int, *, embed_dim: int = 100,
                 hidden_size: int = 100) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim)  # row 0 (padding) is trained, as in Keras
        self.lstm = nn.LSTM(embed_dim, hidden_size, batch_first=True)
        self.out = nn.Linear(hidden_size, num_classes)

    def forward(self, ids: Tensor, lengths: Tensor | None = None) -> Tensor:
        """ids (N, T) int64, lengths (N,) or None -> logits (N, C)."""
        return self.out(_last_state(self.lstm, self.embedding(ids), lengths))


class ConvLSTMClassifier(nn.Module):
    r"""Embedding -> Dropout -> Conv1d + ReLU -> MaxPool1d -> LSTM -> Linear (seed 001's IMDB model).

    The convolution turns each window of ``kernel_size`` word vectors into ``conv_channels``
    features ("valid": no padding), and pooling keeps the largest of every ``pool_size``, so the
    LSTM reads :math:`T' = \lfloor (T - k + 1) / p \rfloor` steps instead of T: 24 for T = 100.

    Args:
        vocab_size: V. num_outputs: C (1 for a binary task read through a sigmoid).
        embed_dim: D. dropout: on the embeddings. conv_channels, kernel_size, pool_size:
            64, 5 and 4 in the seed. hidden_size: H.
    """

    def __init__(self, vocab_size: int, num_outputs: int = 1, *, embed_dim: int = 100,
                 dropout: float = 0.5, conv_channels: int = 64, kernel_size: int = 5,
                 pool_size: int = 4, hidden_size: int = 100) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim)  # row 0 (padding) is trained, as in Keras
        self.dropout = nn.Dropout(dropout)
        self.conv = nn.Conv1d(embed_dim, conv_channels, kernel_size)
        self.pool = nn.MaxPool1d(pool_size)
        self.lstm = nn.LSTM(conv_channels, hidden_size, batch_first=True)
        self.out = nn.Linear(hidden_size, num_outputs)

    def reduced_lengths(self, lengths: Tensor) -> Tensor:
        """Steps left after the valid convolution and the pooling, at least 1: (N,)."""
        k, p = self.conv.kernel_size[0], self.pool.kernel_size
        return torch.clamp((lengths - k + 1) // p, min=1)  # type: ignore[operator]

    def forward(self, ids: Tensor, lengths: Tensor | None = None) -> Tensor:
        """ids (N, T) int64, lengths (N,) or None -> logits (N, C)."""
        x = self.dropout(self.embedding(ids))          # (N, T, D)
        x = torch.relu(self.conv(x.transpose(1, 2)))   # (N, 64, T - k + 1): Conv1d wants channels first
        x = self.pool(x).transpose(1, 2)               # (N, T', 64)
        reduced = None if lengths is None else self.reduced_lengths(lengths)
        return self.out(_last_state(self.lstm, x, reduced))


def count_parameters(model: nn.Module) -> int:
    """Number of trainable scalars."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
