r"""Training, evaluating and sampling a Transformer language model on random windows of text.

Shapes: N batch (windows per step), B block size (the model's longest context), V vocabulary;
L is a text's length in tokens.

Chapter 7 trained the LSTM on N streams read in order, carrying the state. A Transformer has
no state: each training example is a window of B tokens, and the model predicts, at every
position t of the window, token t + 1 from tokens 1..t. So the data pipeline is simply
random windows (:func:`random_windows`), as in nanoGPT.

The optimiser is AdamW with decoupled weight decay on the weight matrices and embeddings
only (not on biases and LayerNorm gains), and the learning rate follows a linear warm-up
then a cosine decay to a floor (:func:`warmup_cosine`):

.. math::
    \eta(s) = \begin{cases}
    \eta_\text{max}\,\frac{s + 1}{s_w + 1} & s < s_w \\
    \eta_\text{min} + \tfrac12 (\eta_\text{max} - \eta_\text{min})(1 + \cos \pi p) & s \ge s_w
    \end{cases}

where :math:`p \in [0, 1]` is how far the run is past the warm-up, by steps or by time.
``train_windows(..., optimizer="muon")`` steps the blocks' weight matrices with Muon instead
(:mod:`course_lib.training.muon`), on the same schedule. Losses, bits per character and
perplexity are those of :mod:`course_lib.training.char_lm`.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from course_lib.torch_nn.char_lm import sample_next
from course_lib.torch_nn.gpt import GPT
from course_lib.training import checkpoint
from course_lib.training.char_lm import TrainLog
from course_lib.training.muon import make_muon


@dataclass
class WindowTrainLog(TrainLog):
    """A `char_lm.TrainLog` that also records each step's learning rate."""

    learning_rates: list[float] = field(default_factory=list)


def random_windows(ids: Tensor, batch_size: int, block_size: int,
                   generator: torch.Generator | None = None) -> tuple[Tensor, Tensor]:
    """N windows of B tokens at uniformly random starts, and the same windows one token ahead.

    Args:
        ids: the encoded text, (L,) with L > B.
        generator: the source of the random starts.

    Returns:
        x, y: each (N, B); y[n, t] = x[n, t + 1] for t < B − 1, and y[n, B − 1] is the token
        after the window.
    """
    starts = torch.randint(len(ids) - block_size, (batch_size,), generator=generator)
    window = starts[:, None] + torch.arange(block_size)  # (N, B) positions in the text
    return ids[window], ids[window + 1]


def warmup_cosine(step: int, progress: float, *, lr: float, min_lr: float, warmup_steps: int) -> float:
    """The learning rate of `step`: a linear warm-up, then a cosine decay to a floor.

        η = lr (step + 1) / (warmup_steps + 1)                      while step < warmup_steps
        η = min_lr + ½ (lr − min_lr) (1 + cos(π p))                 afterwards

    Args:
        step: steps taken so far (0 for the first update).
        progress: p in [0, 1], the fraction of the decay phase already done (clipped to it).
    """
    if step < warmup_steps:
        return lr * (step + 1) / (warmup_steps + 1)
    p = min(max(progress, 0.0), 1.0)
    return min_lr + 0.5 * (lr - min_lr) * (1.0 + math.cos(math.pi * p))


def make_adamw(model: nn.Module, lr: float, weight_decay: float = 0.1,
               betas: tuple[float, float] = (0.9, 0.99)) -> torch.optim.AdamW:
    """AdamW that decays the parameters with two or more dimensions only (nanoGPT's grouping).

    Weight matrices and embeddings shrink towards 0 by the factor (1 − lr · weight_decay) at
    every step, apart from the Adam update; biases and LayerNorm gains, which set offsets and
    scales, are left alone.
    """
    params = [p for p in model.parameters() if p.requires_grad]
    groups = [{"params": [p for p in params if p.dim() >= 2], "weight_decay": weight_decay},
              {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=lr, betas=betas)


@torch.no_grad()
def evaluate(model: nn.Module, ids: Tensor, block_size: int, *, stride: int | None = None,
             batch_size: int = 64) -> float:
    """Mean cross-entropy in nats per token; every token of `ids` (L,) but the first is scored once.

    The text is read in windows of B tokens. With stride S = B (the default) the windows do
    not overlap, so a token's context is the part of its window before it: 0 to B − 1 tokens,
    about B / 2 on average, which is what nanoGPT's random-window estimate averages over. With
    a smaller stride each window after the first scores only its last S tokens, which then
    see at least B − S tokens of context, for B / S times the work.

    Args:
        model: maps ids (N, T) to logits (N, T, V), T ≤ B.
        ids: the encoded text, (L,), L ≥ 2.
        block_size: B, at most the model's.
        stride: S, 1 ≤ S ≤ B.
        batch_size: windows per model call.
    """
    stride = stride or block_size
    if not 1 <= stride <= block_size:
        raise ValueError(f"stride must be in [1, {block_size}], got {stride}")
    L = len(ids)
    first = min(block_size, L - 1)  # the first window scores every one of its targets
    x0, y0 = ids[None, :first], ids[None, 1 : first + 1]
    was_training = model.training
    model.eval()
    total = float(F.cross_entropy(model(x0)[0], y0[0], reduction="sum"))
    # later windows end at the last target of each chunk of S targets; all have B tokens
    chunk_starts = torch.arange(first + 1, L, stride)                   # first target of each chunk
    chunk_ends = torch.clamp(chunk_starts + stride, max=L)              # one past its last target
    for i in range(0, len(chunk_starts), batch_size):
        a, b = chunk_starts[i : i + batch_size], chunk_ends[i : i + batch_size]
        window = (b - 1 - block_size)[:, None] + torch.arange(block_size)  # (n, B) input positions
        logits = model(ids[window])                                      # (n, B, V)
        nll = F.cross_entropy(logits.transpose(1, 2), ids[window + 1], reduction="none")  # (n, B)
        scored = torch.arange(block_size) >= (block_size - (b - a))[:, None]  # the chunk's targets
        total += float(nll[scored].sum())
    model.train(was_training)
    return total / (L - 1)


def train_windows(model: nn.Module, train_ids: Tensor, *, batch_size: int, block_size: int,
                  lr: float = 1e-3, min_lr: float | None = None, warmup_steps: int = 100,
                  optimizer: str = "adamw", muon_lr: float | None = None,
                  weight_decay: float = 0.1, betas: tuple[float, float] = (0.9, 0.99),
                  clip_norm: float | None = 1.0, max_steps: int | None = None,
                  time_budget: float | None = None, generator: torch.Generator | None = None,
                  val_ids: Tensor | None = None, eval_every: int = 100,
                  sample: Callable[[nn.Module], str] | None = None, sample_at: Sequence[int] = (),
                  progress: Callable[[int, WindowTrainLog], None] | None = None,
                  clock: Callable[[], float] = time.perf_counter) -> WindowTrainLog:
    """Train a language model on random windows with AdamW (or Muon), warm-up and cosine decay.

    Each step draws N windows of B tokens (`random_windows`), averages the cross-entropy over
    all N · B predictions, backpropagates, clips the gradient's global norm to `clip_norm` and
    takes an AdamW step (`make_adamw`) at the learning rate of `warmup_cosine` — or, with
    ``optimizer="muon"``, a Muon step for the blocks' weight matrices and an AdamW step for the
    rest (`muon.make_muon`), the Muon rate following the same schedule scaled to `muon_lr`. The decay's
    progress is counted in steps when `max_steps` is given, in seconds when `time_budget` is,
    whichever is further along.

    Args:
        model: maps ids (N, B) to logits (N, B, V).
        train_ids: the encoded training text, (L,).
        batch_size, block_size: N and B.
        lr, min_lr: the peak learning rate and the floor (default lr / 10).
        optimizer: "adamw" or "muon".
        muon_lr: Muon's peak learning rate (default `lr`); only with ``optimizer="muon"``.
        max_steps, time_budget: stop after this many steps or seconds of training (at least
            one is needed). Evaluation and sampling are not counted in the time.
        generator: the source of the random windows.
        val_ids: if given, `evaluate` on it every `eval_every` steps and at the end.
        sample, sample_at: call sample(model) after the listed steps (0 = before training)
            and after the last one.
        clock: the time source in seconds: wall-clock by default; `time.process_time` counts
            this process's CPU time instead, which other jobs on the machine disturb less.

    Returns:
        The `WindowTrainLog`; its `seconds` count training only.
    """
    if max_steps is None and time_budget is None:
        raise ValueError("give max_steps or time_budget")
    min_lr = lr / 10 if min_lr is None else min_lr
    if optimizer == "adamw" and muon_lr is None:
        optimizers: list[torch.optim.Optimizer] = [make_adamw(model, lr, weight_decay, betas)]
    elif optimizer == "muon":
        optimizers = make_muon(model, lr, lr if muon_lr is None else muon_lr, weight_decay, betas)
    else:
        raise ValueError(f'optimizer must be "adamw" or "muon" (muon_lr only with "muon"), '
                         f"got optimizer={optimizer!r}, muon_lr={muon_lr!r}")
    log, step = WindowTrainLog(), 0
    timer = _TrainingClock(clock)

    def done() -> bool:
        return (max_steps is not None and step >= max_steps) or (
            time_budget is not None and timer.seconds() >= time_budget)

    def decay_progress() -> float:
        by_steps = (step - warmup_steps) / max(1, max_steps - warmup_steps) if max_steps else 0.0
        by_time = 0.0
        if time_budget and timer.warm is not None:  # the seconds left after the warm-up
            by_time = (timer.seconds() - timer.warm) / max(1e-9, time_budget - timer.warm)
        return max(by_steps, by_time)

    def record() -> None:
        with timer.paused():
            if sample is not None and (step in sample_at or (step > 0 and done())):
                log.samples[step] = sample(model)
            if val_ids is not None and (step % eval_every == 0 or done()):
                log.val_steps.append(step)
                log.val_loss.append(evaluate(model, val_ids, block_size))
            if progress is not None:
                progress(step, log)

    record()
    model.train()
    while not done():
        if step == warmup_steps:
            timer.warm = timer.seconds()
        rate = warmup_cosine(step, decay_progress(), lr=lr, min_lr=min_lr, warmup_steps=warmup_steps)
        for group in (group for opt in optimizers for group in opt.param_groups):
            group["lr"] = rate * group.get("lr_scale", 1.0)
        log.learning_rates.append(rate)
        x, y = random_windows(train_ids, batch_size, block_size, generator)
        logits = model(x)                                                   # (N, B, V)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        for opt in optimizers:
            opt.zero_grad(set_to_none=True)
        loss.backward()
        if clip_norm is not None:
            nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
        for opt in optimizers:
            opt.step()
        step += 1
        log.step_loss.append(float(loss.detach()))
        if not math.isfinite(log.step_loss[-1]):
            raise FloatingPointError(f"the loss became {log.step_loss[-1]} at step {step}")
        record()
    log.seconds = timer.seconds()
    return log


class _TrainingClock:
    """Seconds of training by the clock `now`, with the time spent inside `paused()` left out."""

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now
        self._start, self._excluded = now(), 0.0
        self.warm: float | None = None  # training seconds when the warm-up ended

    def seconds(self) -> float:
        return self._now() - self._start - self._excluded

    @contextmanager
    def paused(self) -> Iterator[None]:
        began = self._now()
        try:
            yield
        finally:
            self._excluded += self._now() - began


@torch.no_grad()
def sample_text(model: GPT, stoi: Mapping[str, int], itos: Sequence[str], prompt: str, length: int,
                temperature: float = 1.0, generator: torch.Generator | None = None) -> str:
    """Continue `prompt` by `length` characters, each drawn with chapter 7's `sample_next`.

    A Transformer carries no state: every new character is predicted by running the model
    again on the text so far, cropped to its last B characters (a sliding window of context).
    """
    if not prompt:
        raise ValueError("sample_text needs a non-empty prompt to condition on")
    was_training = model.training
    model.eval()
    ids = [stoi[ch] for ch in prompt]
    for _ in range(length):
        context = torch.tensor(ids[-model.block_size :])[None]              # (1, T <= B)
        ids.append(sample_next(model(context)[0, -1], temperature, generator))
    model.train(was_training)
    return prompt + "".join(itos[i] for i in ids[len(prompt) :])


def save_checkpoint(path: str | Path, model: GPT, config: Mapping[str, Any], itos: Sequence[str],
                    log: WindowTrainLog) -> Path:
    """Save the weights, the constructor arguments, the vocabulary and the training log."""
    return checkpoint.save(path, model, config, itos, log)


def load_checkpoint(path: str | Path) -> tuple[GPT, dict[str, int], list[str], WindowTrainLog]:
    """Rebuild what `save_checkpoint` saved: `(model, stoi, itos, log)`, model in eval mode."""
    return checkpoint.load(path, GPT, WindowTrainLog)


def train_or_load(path: str | Path, config: Mapping[str, Any], itos: Sequence[str],
                  train: Callable[[GPT], WindowTrainLog], *,
                  retrain: bool = False) -> tuple[GPT, WindowTrainLog]:
    """Reuse the checkpoint at `path` if it holds a `GPT` with this config and vocabulary.

    Otherwise build `GPT(**config)` (seed the global generator first for a repeatable
    initialisation), run `train(model)`, save the checkpoint and return the model in eval mode.
    """
    return checkpoint.train_or_load(path, GPT, WindowTrainLog, config, itos, train, retrain=retrain)
