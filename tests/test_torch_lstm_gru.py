"""course_lib.torch_nn.lstm / gru equal torch.nn's modules with the same weights, and the NumPy versions."""
from __future__ import annotations

import pytest
import torch

from course_lib.grading import assert_close
from course_lib.numpy_nn import gru as np_gru
from course_lib.numpy_nn import lstm as np_lstm
from course_lib.torch_nn import gru, lstm

N, T, D, H = 2, 4, 3, 5


def test_lstm_matches_torch_lstm_after_copy():
    torch.manual_seed(0)
    reference = torch.nn.LSTM(D, H, batch_first=True)
    ours = lstm.LSTM(D, H).load_from_torch(reference)
    x, h0, c0 = torch.randn(N, T, D), torch.randn(N, H), torch.randn(N, H)
    out, (h_T, c_T) = ours(x, (h0, c0))
    expected, (h_n, c_n) = reference(x, (h0[None], c0[None]))
    assert out.shape == (N, T, H) and h_T.shape == (N, H) and c_T.shape == (N, H)
    torch.testing.assert_close(out, expected)
    torch.testing.assert_close(h_T, h_n[0])
    torch.testing.assert_close(c_T, c_n[0])
    out_zero, _ = ours(x)
    torch.testing.assert_close(out_zero, reference(x)[0])


def test_lstmcell_matches_torch_lstmcell_and_generator_is_deterministic():
    reference = torch.nn.LSTMCell(D, H)
    ours = lstm.LSTM(D, H).load_from_torch(reference)
    x, h, c = torch.randn(N, D), torch.randn(N, H), torch.randn(N, H)
    for got, expected in zip(ours.cell(x, (h, c)), reference(x, (h, c)), strict=True):
        torch.testing.assert_close(got, expected)
    a = lstm.LSTMCell(D, H, generator=torch.Generator().manual_seed(3))
    b = lstm.LSTMCell(D, H, generator=torch.Generator().manual_seed(3))
    torch.testing.assert_close(a.weight_hh, b.weight_hh)
    assert a.weight_ih.shape == (4 * H, D) and a.bias_hh.shape == (4 * H,)
    assert float(a.weight_hh.detach().abs().max()) <= 1 / H**0.5


def test_lstm_load_refuses_projection():
    with pytest.raises(ValueError, match="proj_size"):
        lstm.LSTM(D, H).load_from_torch(torch.nn.LSTM(D, H, proj_size=2))


def test_lstm_numpy_weights_and_numpy_twin_agree():
    module = lstm.LSTM(D, H, generator=torch.Generator().manual_seed(4)).double()
    Wx, Wh, b = lstm.numpy_weights(module)
    assert Wx.shape == (D, 4 * H) and Wh.shape == (H, 4 * H) and b.shape == (4 * H,)
    x, h0 = torch.randn(N, T, D, dtype=torch.float64), torch.randn(N, H, dtype=torch.float64)
    out, _ = module(x, (h0, torch.zeros_like(h0)))
    h, _ = np_lstm.lstm_forward(x.numpy(), h0.numpy(), Wx, Wh, b)
    assert_close(h, out, name="NumPy LSTM vs torch twin")


def test_gru_matches_torch_gru_after_copy():
    torch.manual_seed(5)
    reference = torch.nn.GRU(D, H, batch_first=True)
    ours = gru.GRU(D, H).load_from_torch(reference)
    x, h0 = torch.randn(N, T, D), torch.randn(N, H)
    out, h_T = ours(x, h0)
    expected, h_n = reference(x, h0[None])
    assert out.shape == (N, T, H) and h_T.shape == (N, H)
    torch.testing.assert_close(out, expected)
    torch.testing.assert_close(h_T, h_n[0])
    torch.testing.assert_close(ours(x)[0], reference(x)[0])


def test_grucell_matches_torch_grucell_and_numpy_twin():
    reference = torch.nn.GRUCell(D, H).double()
    ours = gru.GRU(D, H).double().load_from_torch(reference)
    x, h = torch.randn(N, D, dtype=torch.float64), torch.randn(N, H, dtype=torch.float64)
    torch.testing.assert_close(ours.cell(x, h), reference(x, h))
    Wx, Wh, bx, bh = gru.numpy_weights(ours)
    assert Wx.shape == (D, 3 * H) and Wh.shape == (H, 3 * H) and bx.shape == bh.shape == (3 * H,)
    ours_numpy = np_gru.gru_step_forward(x.numpy(), h.numpy(), Wx, Wh, bx, bh)
    assert_close(ours_numpy, reference(x, h), name="NumPy GRU")
    a = gru.GRUCell(D, H, generator=torch.Generator().manual_seed(6))
    b = gru.GRUCell(D, H, generator=torch.Generator().manual_seed(6))
    torch.testing.assert_close(a.weight_ih, b.weight_ih)


def test_parameter_counts_rnn_lt_gru_lt_lstm():
    sizes = {name: sum(p.numel() for p in cls(D, H).parameters())
             for name, cls in (("rnn", torch.nn.RNN), ("gru", torch.nn.GRU), ("lstm", torch.nn.LSTM))}
    assert sizes["rnn"] < sizes["gru"] < sizes["lstm"]
    one = H * (D + H) + 2 * H  # one gate block: weight_ih, weight_hh, two biases
    assert (sizes["rnn"], sizes["gru"], sizes["lstm"]) == (one, 3 * one, 4 * one)
    assert sum(p.numel() for p in lstm.LSTM(D, H).parameters()) == sizes["lstm"]
    assert sum(p.numel() for p in gru.GRU(D, H).parameters()) == sizes["gru"]
