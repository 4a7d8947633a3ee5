"""course_lib.torch_nn.rnn: the unrolled RNN equals torch.nn.RNN with the same weights."""
from __future__ import annotations

import torch

from course_lib.torch_nn.rnn import RNN, CharRNN, RNNCell, numpy_weights

N, T, D, H, V = 2, 4, 3, 5, 6


def test_rnn_matches_torch_rnn_after_copy():
    torch.manual_seed(0)
    reference = torch.nn.RNN(D, H, batch_first=True)
    ours = RNN(D, H).load_from_torch(reference)
    x, h0 = torch.randn(N, T, D), torch.randn(N, H)
    out, h_T = ours(x, h0)
    expected, h_n = reference(x, h0[None])
    assert out.shape == (N, T, H) and h_T.shape == (N, H)
    torch.testing.assert_close(out, expected)
    torch.testing.assert_close(h_T, h_n[0])


def test_rnncell_matches_torch_rnncell_and_generator_is_deterministic():
    reference = torch.nn.RNNCell(D, H)
    ours = RNN(D, H).load_from_torch(reference)
    x, h = torch.randn(N, D), torch.randn(N, H)
    torch.testing.assert_close(ours.cell(x, h), reference(x, h))
    a = RNNCell(D, H, generator=torch.Generator().manual_seed(3))
    b = RNNCell(D, H, generator=torch.Generator().manual_seed(3))
    torch.testing.assert_close(a.weight_hh, b.weight_hh)
    bound = 1 / H**0.5
    assert float(a.weight_hh.detach().abs().max()) <= bound


def test_numpy_weights_layout():
    module = torch.nn.RNN(D, H)
    Wx, Wh, b = numpy_weights(module)
    assert Wx.shape == (D, H) and Wh.shape == (H, H) and b.shape == (H,)
    torch.testing.assert_close(torch.from_numpy(Wx), module.weight_ih_l0.detach().double().T)
    torch.testing.assert_close(torch.from_numpy(b), (module.bias_ih_l0 + module.bias_hh_l0).detach().double())


def test_char_rnn_shapes():
    model = CharRNN(V, H)
    scores, h_n = model(torch.randint(0, V, (N, T)))
    assert scores.shape == (N, T, V) and h_n.shape == (1, N, H)
