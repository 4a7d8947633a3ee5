"""Checkpoints of a character model: its weights, constructor arguments, vocabulary and log.

Chapters 7 and 10 train for minutes; a checkpoint in the data cache lets a rebuild of the book
reuse the trained model. The same file layout serves chapter 7's `CharLSTM` and chapter 10's
`GPT`: `char_lm` and `transformer_lm` call these with their model and log classes.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import torch
from torch import nn

M = TypeVar("M", bound=nn.Module)
L = TypeVar("L")


def save(path: str | Path, model: nn.Module, config: Mapping[str, Any], itos: Sequence[str],
         log: Any) -> Path:
    """Save the weights, the constructor arguments, the vocabulary and the training log."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"state_dict": model.state_dict(), "config": dict(config), "itos": list(itos),
                "log": log.__dict__}, path)
    return path


def load(path: str | Path, model_class: Callable[..., M],
         log_class: Callable[..., L]) -> tuple[M, dict[str, int], list[str], L]:
    """Rebuild what `save` saved: `(model, stoi, itos, log)`, the model in eval mode."""
    saved = torch.load(Path(path), weights_only=True)
    model = model_class(**saved["config"])
    model.load_state_dict(saved["state_dict"])
    itos = saved["itos"]
    return model.eval(), {ch: i for i, ch in enumerate(itos)}, itos, log_class(**saved["log"])


def train_or_load(path: str | Path, model_class: Callable[..., M], log_class: Callable[..., L],
                  config: Mapping[str, Any], itos: Sequence[str], train: Callable[[M], L], *,
                  retrain: bool = False) -> tuple[M, L]:
    """Reuse the checkpoint at `path` if it holds a model with this config and vocabulary.

    Otherwise build `model_class(**config)` (seed the global generator first for a repeatable
    initialisation), run `train(model)`, save the checkpoint and return the model in eval mode.
    """
    path = Path(path)
    if path.exists() and not retrain:
        saved = torch.load(path, weights_only=True)
        if saved["config"] == dict(config) and saved["itos"] == list(itos):
            model, _, _, log = load(path, model_class, log_class)
            return model, log
    model = model_class(**config)
    log = train(model)
    save(path, model, config, itos, log)
    return model.eval(), log
