"""A small, explicit training loop with a progress bar and a returned history.

The loop owns no state: the model, optimizer and data come in, a :class:`History` comes
out. Anything random (shuffling, dropout) is the caller's, driven by their generator.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor, nn
from tqdm.auto import tqdm


@dataclass
class History:
    """What happened during :func:`fit`.

    Attributes:
        step_loss: training loss of every optimisation step, in order.
        epoch: per-epoch records: ``{"epoch": e, "train_loss": ..., "seconds": ..., **evaluate()}``.
    """

    step_loss: list[float] = field(default_factory=list)
    epoch: list[dict[str, float]] = field(default_factory=list)

    def series(self, key: str) -> list[float]:
        """One per-epoch quantity as a list (e.g. ``"val_loss"``)."""
        return [record[key] for record in self.epoch if key in record]


def fit(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    batches: Callable[[], Iterable[Any]],
    loss_fn: Callable[[nn.Module, Any], Tensor],
    *,
    epochs: int = 1,
    clip_norm: float | None = None,
    evaluate: Callable[[nn.Module], dict[str, float]] | None = None,
    progress: bool = True,
    desc: str = "train",
) -> History:
    """Train ``model`` for ``epochs`` passes over ``batches()``.

    Args:
        model: switched to ``train()`` for steps and ``eval()`` around ``evaluate``.
        optimizer: over the model's parameters.
        batches: called once per epoch; returns an iterable of batches (a fresh shuffle
            each epoch is the caller's business).
        loss_fn: ``loss_fn(model, batch)`` returns a scalar loss tensor.
        epochs: number of passes.
        clip_norm: if given, clip the global gradient norm to this value before each step.
        evaluate: called after each epoch under ``torch.no_grad()``; its dict is recorded.
        progress: show a tqdm bar (it writes to stderr).
        desc: the bar's label.

    Returns:
        The :class:`History`.

    Raises:
        FloatingPointError: if a loss becomes NaN or infinite (it names the step).
    """
    history = History()
    bar = tqdm(total=epochs, desc=desc, disable=not progress, unit="epoch")
    step = 0
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        model.train()
        total, count = 0.0, 0
        for batch in batches():
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model, batch)
            value = float(loss.detach())
            if not math.isfinite(value):
                bar.close()
                raise FloatingPointError(f"loss became {value} at step {step} (epoch {epoch})")
            loss.backward()
            if clip_norm is not None:
                nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
            optimizer.step()
            history.step_loss.append(value)
            total, count, step = total + value, count + 1, step + 1
        record: dict[str, float] = {"epoch": epoch, "train_loss": total / max(count, 1)}
        if evaluate is not None:
            model.eval()
            with torch.no_grad():
                record.update(evaluate(model))
        record["seconds"] = time.perf_counter() - start
        history.epoch.append(record)
        bar.set_postfix({k: f"{v:.4g}" for k, v in record.items() if k not in {"epoch", "seconds"}})
        bar.update(1)
    bar.close()
    return history
