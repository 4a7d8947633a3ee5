"""course_lib.gradient_flow: the measured norm equals a hand-built Jacobian product, and it
behaves as the theory says (geometric decay for small recurrent weights)."""
from __future__ import annotations

import pytest
import torch

from course_lib.gradient_flow import (
    elementwise_rnn_runner,
    grad_norm_h0,
    gradient_norm_curve,
    lstm_runner,
    rnn_runner,
)

N, T, D, H = 2, 5, 3, 4


def _rnn(scale: float | None = None, seed: int = 0) -> torch.nn.RNN:
    torch.manual_seed(seed)
    rnn = torch.nn.RNN(D, H, batch_first=True).double()
    if scale is not None:
        with torch.no_grad():
            rnn.weight_hh_l0.mul_(scale)
    return rnn


def _inputs(seed: int = 1):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(N, T, D, generator=g, dtype=torch.float64)
    h0 = torch.randn(N, H, generator=g, dtype=torch.float64)
    u = torch.randn(H, generator=g, dtype=torch.float64)
    return x, h0, u


def test_runner_output_shape():
    x, h0, _ = _inputs()
    assert rnn_runner(_rnn())(x, h0).shape == (N, T, H)
    lstm = torch.nn.LSTM(D, H, batch_first=True).double()
    assert lstm_runner(lstm)(x, h0).shape == (N, T, H)


def test_grad_norm_h0_matches_autograd_jacobian():
    rnn, (x, h0, u) = _rnn(), _inputs()
    # Oracle 1: the full Jacobian of h_T (N, H) with respect to h0 (N, H), as (N, H, N, H).
    jac = torch.autograd.functional.jacobian(lambda h: rnn(x, h[None])[0][:, -1], h0)
    per_example = [u @ jac[n, :, n, :] for n in range(N)]  # rows do not interact across the batch
    expected = torch.stack([g.norm() for g in per_example]).mean()
    assert grad_norm_h0(rnn_runner(rnn), x, h0, u) == pytest.approx(float(expected), rel=1e-10)


def test_grad_norm_h0_matches_the_product_of_step_jacobians():
    # Oracle 2: by hand, dh_t/dh_{t-1} = diag(1 - h_t^2) W_hh, so u^T dh_T/dh_0 is a product of T factors.
    rnn, (x, h0, u) = _rnn(), _inputs()
    with torch.no_grad():
        h = rnn(x, h0[None])[0]  # (N, T, H)
        W = rnn.weight_hh_l0
        norms = []
        for n in range(N):
            row = u.clone()
            for t in reversed(range(T)):
                row = (row * (1 - h[n, t] ** 2)) @ W
            norms.append(row.norm())
    expected = float(torch.stack(norms).mean())
    assert grad_norm_h0(rnn_runner(rnn), x, h0, u) == pytest.approx(expected, rel=1e-10)


def test_grad_norm_h0_leaves_h0_untouched():
    rnn, (x, h0, u) = _rnn(), _inputs()
    before = h0.clone()
    grad_norm_h0(rnn_runner(rnn), x, h0, u)
    assert h0.grad is None and not h0.requires_grad
    torch.testing.assert_close(h0, before)


def test_small_recurrent_weights_make_the_gradient_vanish_geometrically():
    scale = 0.1  # ||W_hh|| <= 0.1 * ||W_hh at init|| < 1: every step shrinks the gradient
    rnn = _rnn(scale).float()
    lengths = [1, 2, 4, 8, 16]
    curve = gradient_norm_curve(rnn_runner(rnn), lengths, batch=N, input_size=D, hidden_size=H,
                                generator=torch.Generator().manual_seed(0))
    assert len(curve) == len(lengths)
    assert all(later < earlier for earlier, later in zip(curve[:-1], curve[1:], strict=True))
    assert curve[-1] < 1e-6 * curve[0]
    spectral_norm = float(torch.linalg.matrix_norm(rnn.weight_hh_l0.detach(), ord=2))
    # |tanh'| <= 1, so each step multiplies the norm by at most ||W_hh||_2
    for i in range(len(lengths) - 1):
        steps = lengths[i + 1] - lengths[i]
        assert curve[i + 1] <= curve[i] * spectral_norm**steps * (1 + 1e-4)


def test_gradient_norm_curve_is_deterministic_and_reuses_h0_and_u():
    rnn = _rnn().float()

    def curve(seed):
        return gradient_norm_curve(rnn_runner(rnn), [3, 6], batch=N, input_size=D, hidden_size=H,
                                   generator=torch.Generator().manual_seed(seed))

    assert curve(4) == curve(4)
    assert curve(4) != curve(5)
    # the same draws as gradient_norm_curve makes, in its order: h0, then u, then the inputs
    g = torch.Generator().manual_seed(4)
    h0 = torch.randn(N, H, generator=g) * 0.1
    u = torch.randn(H, generator=g)
    x = torch.randn(N, 6, D, generator=g)
    assert curve(4)[0] == pytest.approx(grad_norm_h0(rnn_runner(rnn), x[:, :3], h0, u / u.norm()), rel=1e-6)


def _weights(rnn: torch.nn.RNN):
    return rnn.weight_ih_l0.T, rnn.weight_hh_l0.T, rnn.bias_ih_l0 + rnn.bias_hh_l0


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_elementwise_runner_equals_nn_rnn_with_the_same_activation(nonlinearity):
    torch.manual_seed(3)
    rnn = torch.nn.RNN(D, H, batch_first=True, nonlinearity=nonlinearity).double()
    x, h0, u = _inputs()
    run = elementwise_rnn_runner(getattr(torch, nonlinearity), *_weights(rnn))
    torch.testing.assert_close(run(x, h0), rnn_runner(rnn)(x, h0))
    assert grad_norm_h0(run, x, h0, u) == pytest.approx(grad_norm_h0(rnn_runner(rnn), x, h0, u), rel=1e-12)


def test_elementwise_runner_with_a_sigmoid_and_float32_inputs():
    """Float32 inputs meet float64 weights: computed in float64, returned in h0's dtype."""
    Wx = torch.eye(D, H, dtype=torch.float64)
    run = elementwise_rnn_runner(torch.sigmoid, Wx, torch.zeros(H, H, dtype=torch.float64), torch.zeros(H))
    x = torch.randn(N, T, D, generator=torch.Generator().manual_seed(4))
    out = run(x, torch.zeros(N, H))
    assert out.dtype == torch.float32 and out.shape == (N, T, H)
    torch.testing.assert_close(out, torch.sigmoid(x.double() @ Wx).float())


def test_float64_curves_measure_gradients_below_float32s_range():
    """60 sigmoid steps with W_h = 0.5 I shrink the gradient by about 0.12 per step, to ~1e-55:
    0.0 in float32; gradient_norm_curve(dtype=float64) with float64 weights measures it."""
    eye = torch.eye(H, dtype=torch.float64)
    lengths = [1, 60]
    curves = {}
    for dtype in (torch.float64, torch.float32):
        weights = eye.to(dtype), 0.5 * eye.to(dtype), torch.zeros(H, dtype=dtype)
        run = elementwise_rnn_runner(torch.sigmoid, *weights)
        curves[dtype] = gradient_norm_curve(run, lengths, batch=N, input_size=H, hidden_size=H,
                                            generator=torch.Generator().manual_seed(5), dtype=dtype)
    assert 0.0 < curves[torch.float64][1] < 1e-45 < curves[torch.float64][0]
    assert curves[torch.float32][1] == 0.0
