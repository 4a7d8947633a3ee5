r"""Variable-length batches for recurrent networks: padding, packing, last valid outputs.

Shapes: N batch, T time steps (the padded length), D input features, H hidden units,
P projection size (``proj_size``; the LSTM's output width is ``P`` when ``P > 0``, else
``H``), F the width of one output vector (``P or H``), C classes, V vocabulary size counting
the padding id 0. Lengths :math:`\ell_n` satisfy :math:`1 \le \ell_n \le T`.

A ``PackedSequence`` stores only the real steps, time-major: first step 0 of every sequence
(longest first), then step 1 of every sequence still running, and so on.
``batch_sizes[t]`` :math:`= |\{n : \ell_n > t\}|` says how many rows belong to step ``t``, so
the recurrent module runs step ``t`` on a batch of that size and padding never enters it.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence

from course_lib.data.vocab import PAD_ID

if TYPE_CHECKING:  # matplotlib is only needed to draw
    from matplotlib.axes import Axes


def last_valid_output(output: Tensor, lengths: Tensor) -> Tensor:
    """Each sequence's output at its own last real step:  y[n] = output[n, ℓ_n − 1].

    Args:
        output: (N, T, F), batch-first, e.g. from `pad_packed_sequence(..., batch_first=True)`.
        lengths: (N,) integers in [1, T].

    Returns:
        (N, F), differentiable with respect to `output`.

    >>> out = torch.arange(12.0).view(2, 3, 2)
    >>> last_valid_output(out, torch.tensor([2, 3]))
    tensor([[ 2.,  3.],
            [10., 11.]])
    """
    lengths = torch.as_tensor(lengths, device=output.device)
    N, T, F = output.shape
    if lengths.shape != (N,):
        raise ValueError(f"lengths has shape {tuple(lengths.shape)}, expected ({N},)")
    if bool((lengths < 1).any()) or bool((lengths > T).any()):
        raise ValueError(f"every length must lie in [1, {T}], got {lengths.tolist()}")
    index = (lengths.long() - 1).view(N, 1, 1).expand(N, 1, F)  # (N, 1, F): step l_n - 1 in every feature
    return output.gather(1, index).squeeze(1)


class PackedParts(NamedTuple):
    """The four tensors a ``PackedSequence`` holds."""

    data: Tensor              # (sum of lengths, D): real steps only, time-major
    batch_sizes: Tensor       # (max length,): how many sequences are still running at each step
    sorted_indices: Tensor    # (N,): batch rows, longest first
    unsorted_indices: Tensor  # (N,): the inverse permutation, to restore the caller's order


def pack_by_hand(x: Tensor, lengths: Tensor) -> PackedParts:
    """What `pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)` computes.

    Written as loops so that the layout is visible; tests check it equals PyTorch's.

        batch_sizes[t] = number of sequences n with ℓ_n > t
        data = [x[π(1), 0], …, x[π(batch_sizes[0]), 0],  x[π(1), 1], …]

    where π orders the batch by decreasing length.

    Args:
        x: (N, T, D) batch-first, padded on the right.
        lengths: (N,) integers in [1, T].

    Returns:
        `PackedParts` with `data` (sum of lengths, D).
    """
    lengths = torch.as_tensor(lengths, dtype=torch.long).cpu()
    _, order = torch.sort(lengths, descending=True)  # as PyTorch does: longest first
    inverse = torch.empty_like(order)
    inverse[order] = torch.arange(len(order))
    rows: list[Tensor] = []
    batch_sizes: list[int] = []
    for t in range(int(lengths.max())):
        running = [int(n) for n in order if lengths[n] > t]  # still inside its sequence at step t
        batch_sizes.append(len(running))
        rows.extend(x[n, t] for n in running)
    return PackedParts(torch.stack(rows), torch.tensor(batch_sizes), order.to(x.device), inverse.to(x.device))


def final_features(h_n: Tensor, num_layers: int = 1, bidirectional: bool = False) -> Tensor:
    """The top layer's final state, directions side by side: (N, F) or (N, 2F).

    h_n is (num_layers * directions, N, F), ordered layer by layer, forward before backward,
    so h_n.view(num_layers, directions, N, F)[-1] is the top layer. With a packed input the
    forward state is the output at step ℓₙ − 1 and the backward one the output at step 0:
    both have read the whole sequence.

    Args:
        h_n: (num_layers * directions, N, F).
    """
    directions = 2 if bidirectional else 1
    top = h_n.view(num_layers, directions, *h_n.shape[1:])[-1]  # (directions, N, F)
    return torch.cat(list(top), dim=-1)  # forward half first, as in the LSTM's output


class PackedLSTMClassifier(nn.Module):
    """Embedding -> packed LSTM -> linear layer on each sequence's final state.

        logits[n] = W h⁽ⁿ⁾(ℓ_n) + b

    where h⁽ⁿ⁾(ℓ_n) is the LSTM state after the last real word of sentence n.
    With proj_size = P > 0 that state has P entries (an LSTM with a projection,
    h_t = W_hr (o_t ⊙ tanh(c_t))); otherwise H.

    Args:
        vocab_size: V, counting the padding id 0.
        embed_dim: D.
        hidden_size: H, the width of the cell state.
        num_classes: C.
        proj_size: P, or 0 for no projection.
        bidirectional: also read each sentence right to left and concatenate both states.

    Attributes:
        embed: `nn.Embedding(V, D, padding_idx=0)`.
        lstm: `nn.LSTM(D, H, batch_first=True, proj_size=P)`.
        fc: `nn.Linear(F * directions, C)`.
    """

    def __init__(self, vocab_size: int, embed_dim: int, hidden_size: int, num_classes: int,
                 proj_size: int = 0, *, bidirectional: bool = False) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim, padding_idx=PAD_ID)
        self.lstm = nn.LSTM(embed_dim, hidden_size, batch_first=True, proj_size=proj_size,
                            bidirectional=bidirectional)
        directions = 2 if bidirectional else 1
        self.fc = nn.Linear((proj_size or hidden_size) * directions, num_classes)

    def forward(self, ids: Tensor, lengths: Tensor) -> Tensor:
        """ids (N, T) long, right-padded with 0; lengths (N,) -> logits (N, C)."""
        x = self.embed(ids)  # (N, T, D)
        packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        _, (h_n, _) = self.lstm(packed)  # h_n (directions, N, F), in the caller's order
        return self.fc(final_features(h_n, self.lstm.num_layers, self.lstm.bidirectional))


def plot_packed_sequence(tokens: Sequence[Sequence[str]],
                         axes: Sequence[Axes] | None = None) -> tuple[Axes, Axes]:
    """Draw a padded batch (top) and the ``PackedSequence`` PyTorch makes of it (bottom).

    Each sentence has one colour; padding cells are grey. The bottom strip is
    ``PackedSequence.data`` row by row, grouped by time step with its ``batch_sizes`` entry.

    Args:
        tokens: N sentences as lists of words.
        axes: two Axes, or None to make a new figure.

    Returns:
        The two Axes (padded, packed).
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    if axes is None:
        _, axes = plt.subplots(2, 1, figsize=(9, 5.5), gridspec_kw={"height_ratios": [len(tokens), 2]})
    ax_pad, ax_pack = axes
    lengths = torch.tensor([len(s) for s in tokens])
    N, T = len(tokens), int(lengths.max())
    colours = plt.get_cmap("tab10").colors  # type: ignore[attr-defined]
    grey = "0.88"

    def cell(ax: Axes, x: float, y: float, colour: object, text: str) -> None:
        ax.add_patch(Rectangle((x, y), 1, 1, facecolor=colour, edgecolor="white", linewidth=2))
        ax.text(x + 0.5, y + 0.5, text, ha="center", va="center", fontsize=9)

    for n, sentence in enumerate(tokens):
        for t in range(T):
            real = t < len(sentence)
            cell(ax_pad, t, N - 1 - n, colours[n % 10] if real else grey, sentence[t] if real else "0 (pad)")
    ax_pad.set_xlim(0, T)
    ax_pad.set_ylim(0, N)
    ax_pad.set_xticks([t + 0.5 for t in range(T)], labels=[f"t={t}" for t in range(T)])
    ax_pad.set_yticks([N - 0.5 - n for n in range(N)],
                      labels=[f"n={n} (length {len(s)})" for n, s in enumerate(tokens)])
    ax_pad.set_xlabel("time step t")
    padding = N * T - int(lengths.sum())
    ax_pad.set_title(f"padded batch, (N, T) = ({N}, {T}): {padding} of {N * T} cells are padding")

    # Which sentence and step each packed row comes from, as PyTorch itself orders them.
    which = torch.arange(N, dtype=torch.float).view(N, 1, 1).expand(N, T, 1)
    packed = pack_padded_sequence(which, lengths, batch_first=True, enforce_sorted=False)
    order = [] if packed.sorted_indices is None else packed.sorted_indices.tolist()
    row, position = 0, 0.0
    gap = 0.4  # space between time steps in the strip
    for t, size in enumerate(packed.batch_sizes.tolist()):
        start = position
        for _ in range(size):
            n = int(packed.data[row, 0])
            cell(ax_pack, position, 0.6, colours[n % 10], tokens[n][t])
            row, position = row + 1, position + 1
        ax_pack.plot([start + 0.05, position - 0.05], [0.45, 0.45], color="black", linewidth=1)
        ax_pack.text((start + position) / 2, 0.2, f"t={t}\nbatch_sizes[{t}]={size}", ha="center", va="center",
                     fontsize=8)
        position += gap
    ax_pack.set_xlim(-0.1, position)
    ax_pack.set_ylim(-0.1, 1.7)
    ax_pack.set_yticks([])
    ax_pack.set_xticks([])
    ax_pack.set_xlabel(f"PackedSequence.data: {int(lengths.sum())} rows, time-major, longest sentence first "
                       f"(sorted_indices = {order})")
    ax_pack.set_title(f"packed: batch_sizes = {packed.batch_sizes.tolist()}")
    for ax in (ax_pad, ax_pack):
        for side in ax.spines.values():
            side.set_visible(False)
    return ax_pad, ax_pack
