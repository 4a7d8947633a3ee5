"""The probes hidden tests use instead of `.backward()` and training steps through a student's code."""
from __future__ import annotations

import copy

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from course_lib.gradient_probes import (
    PROBES,
    ProbeCharModel,
    input_gradients,
    parameter_gradients,
    training_steps,
    watched,
)


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


# -- training_steps --------------------------------------------------------------------------

V, E, H, B, T = 7, 3, 5, 2, 4


class _Oracle(nn.Module):
    """The same layout as ProbeCharModel, built here: the probe's results are checked against it."""

    def __init__(self, layers):
        super().__init__()
        self.embed, self.head = nn.Embedding(V, E), nn.Linear(H, V)
        self.lstm = nn.LSTM(E, H, layers, batch_first=True)

    def forward(self, x, state=None):
        out, state = self.lstm(self.embed(x), state)
        return self.head(out), state


def _by_hand(model, lr, batches, clip_norm, warmup=None):
    """SGD steps of truncated BPTT written out: the expected losses, states and parameters."""
    model = copy.deepcopy(model)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    state = None if warmup is None else model(warmup)[1]
    losses, states, params = [], [], []
    for x, y in batches:
        logits, state = model(x, None if state is None else tuple(s.detach() for s in state))
        loss = F.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
        optimizer.step()
        losses.append(loss.item())
        states.append(tuple(s.detach() for s in state))
        params.append({name: p.detach().clone() for name, p in model.named_parameters()})
    return losses, states, params


def _batches(n, generator):
    return [tuple(torch.randint(0, V, (B, T), generator=generator) for _ in "xy") for _ in range(n)]


@pytest.mark.parametrize("layers, clip_norm, warmup", [(1, 0.05, False), (2, 1e3, True), (1, 1.0, True)])
def test_training_steps_with_a_correct_step_equal_steps_by_hand(layers, clip_norm, warmup):
    from course_lib.training.char_lm import train_step

    torch.manual_seed(layers)
    model, g = _Oracle(layers), torch.Generator().manual_seed(0)
    batches = _batches(3, g)
    first = torch.randint(0, V, (B, 3), generator=g) if warmup else None
    keywords = {} if clip_norm == 1.0 else {"clip_norm": clip_norm}  # 1.0: train_step's default
    sgd = {"name": "SGD", "lr": 0.5}
    losses, states, params = training_steps(train_step, model.state_dict(), sgd, batches, keywords, first)
    expected = _by_hand(model, 0.5, batches, clip_norm, first)
    assert all(isinstance(loss, float) for loss in losses)
    torch.testing.assert_close(losses, expected[0])
    torch.testing.assert_close(states, expected[1])
    torch.testing.assert_close(params, expected[2])
    assert not any(p.grad is not None for p in model.parameters()), "the caller's model is only read"


def test_training_steps_calls_as_the_contract_says():
    calls = []

    def step(model, optimizer, x, y, **kwargs):
        calls.append((x, y, kwargs))
        x.zero_()  # the probe hands out copies
        return torch.tensor(2.0, requires_grad=True), ["new state", len(calls)]

    batches = _batches(3, torch.Generator().manual_seed(1))
    kept = copy.deepcopy(batches)
    losses, states, _ = training_steps(step, _Oracle(1).state_dict(), {"name": "Adam", "lr": 0.1}, batches,
                                       {"clip_norm": 0.5})
    assert [sorted(kw) for _, _, kw in calls] == [["clip_norm"]] + [["clip_norm", "state"]] * 2
    assert calls[1][2]["state"] == ["new state", 1], "each call gets the state the previous call returned"
    torch.testing.assert_close(batches, kept)
    assert losses[0].requires_grad is False and float(losses[0]) == 2.0, "a tensor loss comes back as data"
    assert states[2] == ("new state", 3)


def test_training_steps_warmup_leaves_an_attached_state_and_stale_gradients():
    seen = {}

    def step(model, optimizer, x, y, state=None, clip_norm=1.0):
        seen.setdefault("state", state)
        seen.setdefault("grads", [p.grad for p in model.parameters()])
        return 0.0, model(x, state)[1]

    training_steps(step, _Oracle(1).state_dict(), {"name": "SGD", "lr": 0.1}, _batches(1, torch.Generator()),
                   None, torch.zeros(B, 3, dtype=torch.long))
    assert all(s.grad_fn is not None for s in seen["state"])
    assert all(g is not None and g.abs().sum() > 0 for g in seen["grads"])


def test_training_steps_exposes_a_missing_detach_and_a_missing_zero_grad():
    def no_detach(model, optimizer, x, y, state=None, clip_norm=1.0):
        logits, state = model(x, state)
        loss = F.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item(), state

    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        training_steps(no_detach, _Oracle(1).state_dict(), {"name": "SGD", "lr": 0.1},
                       _batches(2, torch.Generator().manual_seed(2)))
    with pytest.raises(ValueError, match="training_steps builds one of"):
        training_steps(no_detach, _Oracle(1).state_dict(), {"name": "LBFGS", "lr": 0.1}, [])


def test_probe_model_takes_the_state_under_any_name_and_the_caller_dtype():
    oracle = _Oracle(2).double()
    model = ProbeCharModel(oracle.state_dict())
    x = torch.randint(0, V, (B, T))
    logits, state = model(x)
    assert logits.dtype == torch.float64 and model.lstm.num_layers == 2
    torch.testing.assert_close(logits, oracle(x)[0])
    torch.testing.assert_close(model(x, hidden=state)[0], oracle(x, state)[0])
    torch.testing.assert_close(model(x, state)[0], oracle(x, state)[0])
    with pytest.raises(TypeError, match="one state"):
        model(x, state, state)


def test_watched_names_everything_the_probes_call():
    entries = {(getattr(owner, "__name__", ""), name) for owner, name in watched()}
    for owner, name in watched():
        assert getattr(owner, name) is not None
    for name in (*PROBES, "_vjp", "_detached", "_optimizer", "ProbeCharModel"):
        assert ("course_lib.gradient_probes", name) in entries
    assert {("ProbeCharModel", "forward"), ("LSTM", "forward"), ("SGD", "__init__")} <= entries
