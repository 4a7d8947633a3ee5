"""course_lib.torch_nn.packing against independent oracles.

Oracles: Python loops for the last valid output, PyTorch's own pack_padded_sequence for the
packed layout, and every sentence run *alone and unpadded* through torch.nn modules with
copied weights for the classifier.
"""
from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from course_lib.torch_nn.packing import (
    PackedLSTMClassifier,
    final_features,
    last_valid_output,
    pack_by_hand,
    plot_packed_sequence,
)

N, T, D, H, P, V, C = 4, 5, 3, 6, 2, 9, 3
LENGTHS = torch.tensor([3, 5, 1, 4])


def padded_ids(lengths: torch.Tensor, T: int, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(1, V, (len(lengths), T), generator=g)
    ids[torch.arange(T)[None, :] >= lengths[:, None]] = 0
    return ids


def test_last_valid_output_matches_a_loop_and_keeps_the_graph():
    output = torch.randn(N, T, H, requires_grad=True)
    got = last_valid_output(output, LENGTHS)
    assert got.shape == (N, H)
    expected = torch.stack([output[n, int(LENGTHS[n]) - 1] for n in range(N)])
    torch.testing.assert_close(got, expected)
    got.sum().backward()
    picked = torch.zeros(N, T)
    picked[torch.arange(N), LENGTHS - 1] = 1
    torch.testing.assert_close(output.grad, picked[..., None].expand(N, T, H))


@pytest.mark.parametrize("bad", [torch.tensor([0, 1, 1, 1]), torch.tensor([1, 1, 1, T + 1]),
                                 torch.tensor([1, 2])])
def test_last_valid_output_refuses_impossible_lengths(bad):
    with pytest.raises(ValueError):
        last_valid_output(torch.zeros(N, T, H), bad)


@pytest.mark.parametrize("lengths", [LENGTHS, torch.tensor([2, 2, 5, 1]), torch.tensor([1]),
                                     torch.tensor([4, 4, 4])])
def test_pack_by_hand_equals_pytorch(lengths):
    x = torch.randn(len(lengths), int(lengths.max()) + 1, D)  # one extra padding column
    ours = pack_by_hand(x, lengths)
    theirs = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    assert ours.data.shape == (int(lengths.sum()), D)
    torch.testing.assert_close(ours.data, theirs.data)
    assert torch.equal(ours.batch_sizes, theirs.batch_sizes)
    assert torch.equal(ours.sorted_indices, theirs.sorted_indices)
    assert torch.equal(ours.unsorted_indices, theirs.unsorted_indices)
    assert int(ours.batch_sizes.sum()) == int(lengths.sum())


def test_h_n_of_a_packed_run_is_the_last_valid_output():
    torch.manual_seed(0)
    lstm = nn.LSTM(D, H, batch_first=True, proj_size=P)
    x = torch.randn(N, T, D)
    out, (h_n, c_n) = lstm(pack_padded_sequence(x, LENGTHS, batch_first=True, enforce_sorted=False))
    padded, out_lengths = pad_packed_sequence(out, batch_first=True)
    assert padded.shape == (N, int(LENGTHS.max()), P) and h_n.shape == (1, N, P) and c_n.shape == (1, N, H)
    assert torch.equal(out_lengths, LENGTHS)
    torch.testing.assert_close(h_n[0], last_valid_output(padded, LENGTHS))
    is_padding = torch.arange(T)[None, :] >= LENGTHS[:, None]
    assert bool((padded[is_padding] == 0).all()), "padding outputs are zeros"


def test_without_packing_padding_leaks_into_h_n():
    """The bug the packing prevents, so the invariance tests below are not vacuous."""
    torch.manual_seed(0)
    lstm = nn.LSTM(D, H, batch_first=True)
    x = torch.randn(1, 2, D)
    _, (h_short, _) = lstm(x)
    _, (h_padded, _) = lstm(torch.cat([x, torch.zeros(1, 3, D)], dim=1))
    assert (h_short - h_padded).abs().max() > 1e-3


def oracle_logits(model: PackedLSTMClassifier, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Fresh torch.nn modules with the model's weights, each sentence run alone and unpadded."""
    lstm = model.lstm
    embed = nn.Embedding(model.embed.num_embeddings, model.embed.embedding_dim).double()
    rnn = nn.LSTM(lstm.input_size, lstm.hidden_size, batch_first=True, proj_size=lstm.proj_size,
                  bidirectional=lstm.bidirectional).double()
    fc = nn.Linear(model.fc.in_features, model.fc.out_features).double()
    for ours, theirs in ((embed, model.embed), (rnn, model.lstm), (fc, model.fc)):
        ours.load_state_dict({k: v.double() for k, v in theirs.state_dict().items()})
    rows = []
    with torch.no_grad():
        for n in range(len(ids)):
            out, _ = rnn(embed(ids[n, : lengths[n]])[None])  # (1, l_n, F * directions), no padding at all
            F = rnn.proj_size or rnn.hidden_size
            features = out[0, -1, :F]
            if rnn.bidirectional:  # the backward direction has read the whole sentence at step 0
                features = torch.cat([features, out[0, 0, F:]])
            rows.append(fc(features))
    return torch.stack(rows)


@pytest.mark.parametrize("proj_size, bidirectional", [(0, False), (P, False), (P, True), (0, True)])
def test_classifier_equals_each_sentence_run_alone(proj_size, bidirectional):
    torch.manual_seed(1)
    model = PackedLSTMClassifier(V, D, H, C, proj_size=proj_size, bidirectional=bidirectional)
    ids = padded_ids(LENGTHS, T)
    logits = model.double()(ids, LENGTHS)
    assert logits.shape == (N, C)
    torch.testing.assert_close(logits, oracle_logits(model, ids, LENGTHS))


def test_classifier_is_padding_and_order_invariant():
    torch.manual_seed(2)
    model = PackedLSTMClassifier(V, D, H, C, proj_size=P).double()
    ids = padded_ids(LENGTHS, T)
    logits = model(ids, LENGTHS)
    more_padding = torch.cat([ids, torch.zeros(N, 3, dtype=torch.long)], dim=1)
    torch.testing.assert_close(model(more_padding, LENGTHS), logits)
    perm = torch.tensor([2, 0, 3, 1])
    torch.testing.assert_close(model(ids[perm], LENGTHS[perm]), logits[perm])


def test_classifier_layout_and_gradients():
    model = PackedLSTMClassifier(V, D, H, C, proj_size=P)
    assert model.embed.padding_idx == 0 and model.embed.weight.shape == (V, D)
    assert model.lstm.batch_first and model.lstm.proj_size == P and model.lstm.hidden_size == H
    assert model.lstm.weight_hh_l0.shape == (4 * H, P) and model.lstm.weight_hr_l0.shape == (P, H)
    assert (model.fc.in_features, model.fc.out_features) == (P, C)
    ids = padded_ids(LENGTHS, T)
    model(ids, LENGTHS).sum().backward()
    grad = model.embed.weight.grad
    assert bool((grad[0] == 0).all()), "the padding row gets no gradient"
    used = ids[ids != 0].unique()
    assert bool((grad[used].abs().sum(dim=1) > 0).all()), "every word used gets a gradient"


def test_final_features_picks_the_top_layer_forward_then_backward():
    h_n = torch.arange(2 * 2 * 3 * 1, dtype=torch.float).view(4, 3, 1)  # 2 layers x 2 directions, N=3, F=1
    got = final_features(h_n, num_layers=2, bidirectional=True)
    assert got.shape == (3, 2)
    torch.testing.assert_close(got, torch.cat([h_n[2], h_n[3]], dim=-1))
    torch.testing.assert_close(final_features(h_n[:1]), h_n[0])


def test_plot_packed_sequence_draws_every_real_and_padding_cell():
    tokens = [["i", "am", "happy"], ["feel", "good"], ["i", "am", "not", "sad"]]
    ax_pad, ax_pack = plot_packed_sequence(tokens)
    assert len(ax_pad.patches) == 3 * 4  # N * T cells
    assert len(ax_pack.patches) == 9  # one per real word
    assert "batch_sizes = [3, 3, 2, 1]" in ax_pack.get_title()
    assert "3 of 12 cells are padding" in ax_pad.get_title()
    texts = [t.get_text() for t in ax_pack.texts]
    assert texts[:3] == ["i", "i", "feel"]  # step 0, longest sentence first
