"""course_lib.numpy_nn.gru against torch.nn.GRUCell / GRU with copied weights."""
from __future__ import annotations

import numpy as np
import torch

from course_lib.grading import assert_close
from course_lib.numpy_nn import gru
from course_lib.torch_nn.gru import numpy_weights

N, T, D, H = 3, 5, 4, 6


def test_step_forward_matches_torch_grucell():
    torch.manual_seed(0)
    cell = torch.nn.GRUCell(D, H).double()
    with torch.no_grad():  # large biases, so that where b_hn sits matters
        cell.bias_hh.uniform_(-2, 2)
    x, h = torch.randn(N, D, dtype=torch.float64), torch.randn(N, H, dtype=torch.float64)
    h_next = gru.gru_step_forward(x.numpy(), h.numpy(), *numpy_weights(cell))
    assert h_next.shape == (N, H)
    assert_close(h_next, cell(x, h), name="h_next")


def test_merged_biases_would_be_wrong():
    """b_hn is scaled by r, so bias_ih + bias_hh cannot be folded into one vector as in the LSTM."""
    torch.manual_seed(1)
    cell = torch.nn.GRUCell(D, H).double()
    with torch.no_grad():
        cell.bias_hh.uniform_(-2, 2)
    x, h = torch.randn(N, D, dtype=torch.float64), torch.randn(N, H, dtype=torch.float64)
    Wx, Wh, bx, bh = numpy_weights(cell)
    merged = gru.gru_step_forward(x.numpy(), h.numpy(), Wx, Wh, bx + bh, np.zeros_like(bh))
    assert not np.allclose(merged, cell(x, h).detach().numpy())


def test_forward_matches_torch_gru():
    torch.manual_seed(2)
    module = torch.nn.GRU(D, H, batch_first=True).double()
    x, h0 = torch.randn(N, T, D, dtype=torch.float64), torch.randn(N, H, dtype=torch.float64)
    h = gru.gru_forward(x.numpy(), h0.numpy(), *numpy_weights(module))
    out, h_n = module(x, h0[None])
    assert h.shape == (N, T, H)
    assert_close(h, out, name="h")
    assert_close(h[:, -1], h_n[0], name="h_T")


def test_update_gate_one_keeps_the_state(rng):
    """z = 1 everywhere (huge z bias) copies h_prev; z = 0 replaces it by n."""
    Wx, Wh = rng.normal(size=(D, 3 * H)), rng.normal(size=(H, 3 * H))
    x, h = rng.normal(size=(N, D)), rng.normal(size=(N, H))
    bx = np.zeros(3 * H)
    bx[H:2 * H] = 1000.0  # sigma(1000) = 1 in float64
    assert_close(gru.gru_step_forward(x, h, Wx, Wh, bx, np.zeros(3 * H)), h, name="h_next with z = 1")
