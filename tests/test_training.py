"""course_lib.training.fit: learns, records history, clips, and refuses NaN losses."""
from __future__ import annotations

import pytest
import torch

from course_lib.training import History, fit


def _regression(generator):
    x = torch.randn(64, 3, generator=generator)
    y = x @ torch.tensor([[1.0], [-2.0], [0.5]]) + 0.3
    return x, y


def test_fit_reduces_loss_and_records_history():
    g = torch.Generator().manual_seed(0)
    x, y = _regression(g)
    model = torch.nn.Linear(3, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    history = fit(model, opt, lambda: [(x[:32], y[:32]), (x[32:], y[32:])],
                  lambda m, b: torch.nn.functional.mse_loss(m(b[0]), b[1]), epochs=30,
                  evaluate=lambda m: {"val_loss": float(torch.nn.functional.mse_loss(m(x), y))}, progress=False)
    assert isinstance(history, History)
    assert len(history.step_loss) == 60 and len(history.epoch) == 30
    assert history.series("val_loss")[-1] < 1e-3 < history.series("val_loss")[0]
    assert [r["epoch"] for r in history.epoch] == list(range(1, 31))


def test_fit_clips_gradient_norm():
    model = torch.nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        model.weight.fill_(0.0)
    opt = torch.optim.SGD(model.parameters(), lr=1.0)
    batch = (torch.tensor([[1.0]]), torch.tensor([[100.0]]))
    fit(model, opt, lambda: [batch], lambda m, b: ((m(b[0]) - b[1]) ** 2).sum(), clip_norm=0.5, progress=False)
    assert float(model.weight.detach()) == pytest.approx(0.5)  # one step of length exactly clip_norm


def test_fit_raises_on_nan():
    model = torch.nn.Linear(1, 1)
    opt = torch.optim.SGD(model.parameters(), lr=1.0)
    with pytest.raises(FloatingPointError, match="step 0"):
        fit(model, opt, lambda: [None], lambda m, b: torch.tensor(float("nan"), requires_grad=True), progress=False)
