"""The gradient probes hidden tests use instead of `.backward()` through a student's code."""
from __future__ import annotations

import pytest
import torch
from torch import nn

from course_lib.gradient_probes import input_gradients, parameter_gradients


def test_input_gradients_are_the_vector_jacobian_product():
    x = torch.randn(3, 4, dtype=torch.float64)
    w = torch.randn(3, dtype=torch.float64)
    out, (dx, dw) = input_gradients(lambda a, b: a.sum(dim=1) * b, (x, w), wrt=(0, 1),
                                    grad_output=torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64))
    torch.testing.assert_close(out, x.sum(dim=1) * w)
    torch.testing.assert_close(dx, (w * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64))[:, None].expand(3, 4))
    torch.testing.assert_close(dw, x.sum(dim=1) * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64))
    assert not x.requires_grad and x.grad is None, "the caller's tensor must not be touched"


@pytest.mark.parametrize("broken", [
    lambda a: a.detach() * 2,
    lambda a: torch.from_numpy(a.detach().numpy() * 2),
    lambda a: torch.tensor(a.tolist()) * 2,
])
def test_a_detached_result_has_no_gradient(broken):
    out, (dx,) = input_gradients(broken, (torch.ones(3),), wrt=(0,))
    assert dx is None
    torch.testing.assert_close(out, torch.full((3,), 2.0))


def test_an_input_the_output_ignores_has_no_gradient():
    _, (dx, dy) = input_gradients(lambda a, b: a * 2, (torch.ones(2), torch.ones(2)), wrt=(0, 1))
    assert dx is not None and dy is None


def test_parameter_gradients_match_backward_and_leave_grad_fields_alone():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    model[0].bias.requires_grad_(False)
    x, g = torch.randn(5, 3), torch.randn(5, 2)
    out, grads = parameter_gradients(model, (x,), grad_output=g)
    assert all(p.grad is None for p in model.parameters())
    (model(x) * g).sum().backward()
    assert grads["0.bias"] is None, "a frozen parameter gets no gradient"
    for name, p in model.named_parameters():
        if p.requires_grad:
            torch.testing.assert_close(grads[name], p.grad)
    torch.testing.assert_close(out, model(x).detach())


def test_a_non_tensor_output_is_a_clear_error():
    with pytest.raises(TypeError, match="should return a tensor"):
        input_gradients(lambda a: (a, a), (torch.ones(1),), wrt=(0,))
