"""course_lib.numpy_nn.rnn against PyTorch (copied weights) and central differences."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from course_lib.grading import assert_close, numerical_gradient
from course_lib.numpy_nn import rnn
from course_lib.torch_nn.rnn import numpy_weights

N, T, D, H = 3, 5, 4, 6


@pytest.fixture
def step_args(rng):
    return dict(x=rng.normal(size=(N, D)), h_prev=rng.normal(size=(N, H)),
                Wx=rng.normal(size=(D, H)) * 0.5, Wh=rng.normal(size=(H, H)) * 0.5, b=rng.normal(size=H))


@pytest.fixture
def seq_args(rng):
    return dict(x=rng.normal(size=(N, T, D)), h0=rng.normal(size=(N, H)),
                Wx=rng.normal(size=(D, H)) * 0.5, Wh=rng.normal(size=(H, H)) * 0.5, b=rng.normal(size=H))


def test_step_forward_matches_torch_rnncell():
    torch.manual_seed(0)
    cell = torch.nn.RNNCell(D, H).double()
    x, h = torch.randn(N, D, dtype=torch.float64), torch.randn(N, H, dtype=torch.float64)
    h_next, _ = rnn.rnn_step_forward(x.numpy(), h.numpy(), *numpy_weights(cell))
    assert h_next.shape == (N, H)
    assert_close(h_next, cell(x, h), name="h_next")


def test_forward_matches_torch_rnn():
    torch.manual_seed(1)
    module = torch.nn.RNN(D, H, batch_first=True).double()
    x, h0 = torch.randn(N, T, D, dtype=torch.float64), torch.randn(N, H, dtype=torch.float64)
    h, cache = rnn.rnn_forward(x.numpy(), h0.numpy(), *numpy_weights(module))
    out, h_n = module(x, h0[None])
    assert h.shape == (N, T, H) and len(cache.steps) == T
    assert_close(h, out, name="h")
    assert_close(h[:, -1], h_n[0], name="h_T")


@pytest.mark.parametrize("name", ["x", "h_prev", "Wx", "Wh", "b"])
def test_step_backward_matches_numerical(step_args, rng, name):
    h_next, cache = rnn.rnn_step_forward(**step_args)
    dh = rng.normal(size=h_next.shape)
    analytic = dict(zip(step_args, rnn.rnn_step_backward(dh, cache)))[name]
    expected = numerical_gradient(lambda v: rnn.rnn_step_forward(**{**step_args, name: v})[0], step_args[name], dh)
    assert analytic.shape == step_args[name].shape
    assert_close(analytic, expected, name=f"d{name}", rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", ["x", "h0", "Wx", "Wh", "b"])
def test_backward_matches_numerical(seq_args, rng, name):
    h, cache = rnn.rnn_forward(**seq_args)
    dh = rng.normal(size=h.shape)
    analytic = dict(zip(seq_args, rnn.rnn_backward(dh, cache)))[name]
    expected = numerical_gradient(lambda v: rnn.rnn_forward(**{**seq_args, name: v})[0], seq_args[name], dh)
    assert_close(analytic, expected, name=f"d{name}", rtol=1e-5, atol=1e-7)


def test_backward_matches_torch_autograd(seq_args, rng):
    dh = rng.normal(size=(N, T, H))
    t = {k: torch.tensor(v, requires_grad=True) for k, v in seq_args.items()}
    h, outs = t["h0"], []
    for step in range(T):
        h = torch.tanh(t["x"][:, step] @ t["Wx"] + h @ t["Wh"] + t["b"])
        outs.append(h)
    (torch.stack(outs, 1) * torch.from_numpy(dh)).sum().backward()
    _, cache = rnn.rnn_forward(**seq_args)
    for name, grad in zip(seq_args, rnn.rnn_backward(dh, cache)):
        assert_close(grad, t[name].grad, name=f"d{name}")


def test_functions_do_not_modify_inputs(seq_args, rng):
    copies = {k: v.copy() for k, v in seq_args.items()}
    h, cache = rnn.rnn_forward(**seq_args)
    dh = rng.normal(size=h.shape)
    dh_copy = dh.copy()
    rnn.rnn_backward(dh, cache)
    for k in seq_args:
        assert np.array_equal(seq_args[k], copies[k]), k
    assert np.array_equal(dh, dh_copy)
