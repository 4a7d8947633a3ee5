"""course_lib.numpy_nn.lstm against PyTorch (copied weights) and central differences."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from course_lib.grading import assert_close, numerical_gradient
from course_lib.numpy_nn import lstm
from course_lib.torch_nn.lstm import numpy_weights

N, T, D, H = 3, 5, 4, 6


@pytest.fixture
def step_args(rng):
    return dict(x=rng.normal(size=(N, D)), h_prev=rng.normal(size=(N, H)), c_prev=rng.normal(size=(N, H)),
                Wx=rng.normal(size=(D, 4 * H)) * 0.5, Wh=rng.normal(size=(H, 4 * H)) * 0.5,
                b=rng.normal(size=4 * H))


@pytest.fixture
def seq_args(rng):
    return dict(x=rng.normal(size=(N, T, D)), h0=rng.normal(size=(N, H)),
                Wx=rng.normal(size=(D, 4 * H)) * 0.5, Wh=rng.normal(size=(H, 4 * H)) * 0.5,
                b=rng.normal(size=4 * H))


def test_sigmoid_matches_torch_and_never_overflows():
    x = np.array([-1000.0, -745.0, -40.0, -1.0, 0.0, 1e-8, 3.0, 40.0, 745.0, 1000.0, np.finfo(float).max])
    # every floating-point error raises except underflow: exp(-1000) -> 0 is the right answer
    with np.errstate(all="raise", under="ignore"), warnings.catch_warnings():
        warnings.simplefilter("error")
        out = lstm.sigmoid(x)
    assert out.shape == x.shape and out.dtype == np.float64
    assert_close(out, torch.sigmoid(torch.from_numpy(x)), name="sigmoid", rtol=1e-12, atol=1e-300)
    assert lstm.sigmoid(0.0).shape == ()


def test_reorder_gates_round_trip_and_rejects_bad_orders(rng):
    W = rng.normal(size=(D, 4 * H))
    there = lstm.reorder_gates(W, "ifgo", "ifog")
    assert_close(there[:, 2 * H:3 * H], W[:, 3 * H:], name="o block moved to third place")
    assert_close(lstm.reorder_gates(there, "ifog", "ifgo"), W, name="round trip")
    with pytest.raises(ValueError, match="permutations"):
        lstm.reorder_gates(W, "ifgx", "ifgo")


def test_step_forward_matches_torch_lstmcell():
    torch.manual_seed(0)
    cell = torch.nn.LSTMCell(D, H).double()
    x, h, c = (torch.randn(N, size, dtype=torch.float64) for size in (D, H, H))
    h_next, c_next, cache = lstm.lstm_step_forward(x.numpy(), h.numpy(), c.numpy(), *numpy_weights(cell))
    expected_h, expected_c = cell(x, (h, c))
    assert h_next.shape == (N, H) and c_next.shape == (N, H)
    assert isinstance(cache, lstm.LSTMStepCache) and cache.i.shape == (N, H)
    assert_close(h_next, expected_h, name="h_next")
    assert_close(c_next, expected_c, name="c_next")


def test_forward_matches_torch_lstm_with_zero_initial_cell():
    torch.manual_seed(1)
    module = torch.nn.LSTM(D, H, batch_first=True).double()
    x, h0 = torch.randn(N, T, D, dtype=torch.float64), torch.randn(N, H, dtype=torch.float64)
    h, cache = lstm.lstm_forward(x.numpy(), h0.numpy(), *numpy_weights(module))
    out, (h_n, _) = module(x, (h0[None], torch.zeros(1, N, H, dtype=torch.float64)))
    assert h.shape == (N, T, H) and len(cache.steps) == T
    assert_close(h, out, name="h")
    assert_close(h[:, -1], h_n[0], name="h_T")


def test_wrong_gate_order_does_not_match_torch():
    """The reason the order matters: reading the 4H axis as [i, f, o, g] changes the output."""
    torch.manual_seed(2)
    cell = torch.nn.LSTMCell(D, H).double()
    x, h, c = (torch.randn(N, size, dtype=torch.float64) for size in (D, H, H))
    Wx, Wh, b = (lstm.reorder_gates(w, "ifgo", "ifog") for w in numpy_weights(cell))
    h_next, _, _ = lstm.lstm_step_forward(x.numpy(), h.numpy(), c.numpy(), Wx, Wh, b)
    assert not np.allclose(h_next, cell(x, (h, c))[0].detach().numpy())


STEP_NAMES = ["x", "h_prev", "c_prev", "Wx", "Wh", "b"]


@pytest.mark.parametrize("name", STEP_NAMES)
def test_step_backward_matches_numerical(step_args, rng, name):
    h_next, c_next, cache = lstm.lstm_step_forward(**step_args)
    dh, dc = rng.normal(size=h_next.shape), rng.normal(size=c_next.shape)
    grads = dict(zip(STEP_NAMES, lstm.lstm_step_backward(dh, dc, cache), strict=True))
    assert grads[name].shape == step_args[name].shape

    def both(value):  # L = <dh, h_next> + <dc, c_next>: stack the two outputs
        h_out, c_out, _ = lstm.lstm_step_forward(**{**step_args, name: value})
        return np.stack([h_out, c_out])

    expected = numerical_gradient(both, step_args[name], np.stack([dh, dc]))
    assert_close(grads[name], expected, name=f"d{name}", rtol=1e-5, atol=1e-7)


SEQ_NAMES = ["x", "h0", "Wx", "Wh", "b"]


@pytest.mark.parametrize("name", SEQ_NAMES)
def test_backward_matches_numerical(seq_args, rng, name):
    h, cache = lstm.lstm_forward(**seq_args)
    dh = rng.normal(size=h.shape)
    grads = dict(zip(SEQ_NAMES, lstm.lstm_backward(dh, cache), strict=True))
    assert grads[name].shape == seq_args[name].shape
    expected = numerical_gradient(lambda v: lstm.lstm_forward(**{**seq_args, name: v})[0], seq_args[name], dh)
    assert_close(grads[name], expected, name=f"d{name}", rtol=1e-5, atol=1e-7)


def test_backward_matches_torch_autograd(seq_args, rng):
    module = torch.nn.LSTM(D, H, batch_first=True).double()
    with torch.no_grad():
        module.weight_ih_l0.copy_(torch.from_numpy(seq_args["Wx"].T))
        module.weight_hh_l0.copy_(torch.from_numpy(seq_args["Wh"].T))
        module.bias_ih_l0.copy_(torch.from_numpy(seq_args["b"]))
        module.bias_hh_l0.zero_()
    h, cache = lstm.lstm_forward(**seq_args)
    dh = np.zeros_like(h)
    dh[:, 0] = rng.normal(size=(N, H))  # loss on the first step only: dh0 needs no carry
    dx, dh0, dWx, dWh, db = lstm.lstm_backward(dh, cache)
    x = torch.tensor(seq_args["x"], requires_grad=True)
    h0 = torch.tensor(seq_args["h0"][None], requires_grad=True)
    out, _ = module(x, (h0, torch.zeros_like(h0)))
    (out * torch.from_numpy(dh)).sum().backward()
    assert_close(dx, x.grad, name="dx")
    assert_close(dh0, h0.grad[0], name="dh0")
    assert_close(dWx, module.weight_ih_l0.grad.T, name="dWx")
    assert_close(dWh, module.weight_hh_l0.grad.T, name="dWh")
    assert_close(db, module.bias_ih_l0.grad, name="db")


def test_forward_does_not_modify_its_inputs(seq_args):
    copies = {k: v.copy() for k, v in seq_args.items()}
    h, cache = lstm.lstm_forward(**seq_args)
    lstm.lstm_backward(np.ones_like(h), cache)
    for k, v in seq_args.items():
        assert np.array_equal(v, copies[k]), k
