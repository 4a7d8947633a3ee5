r"""Training and evaluating character language models with truncated BPTT.

Shapes: N parallel streams (the batch), T time steps per chunk, V vocabulary; L is a text's
length in characters.

A long text is cut into N equal *streams* laid side by side, ``(N, L // N)``; training walks
along them T characters at a time. The LSTM state at the end of one chunk is the state at the
start of the next, so the model can use context longer than T, but the state is *detached*
between chunks: gradients flow back at most T steps (truncated backpropagation through time).

Losses are mean cross-entropies in nats per character, :math:`\bar\ell`; from them

.. math:: \text{perplexity} = e^{\bar\ell}, \qquad \text{bits per character} = \bar\ell / \ln 2.

A model that guesses uniformly among V characters scores :math:`\ln V` nats, perplexity V.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from course_lib.torch_nn.char_lm import CharLSTM, State
from course_lib.training import checkpoint


def build_char_vocab(text: str) -> tuple[dict[str, int], list[str]]:
    """(stoi, itos): the text's distinct characters in sorted (code point) order."""
    itos = sorted(set(text))
    return {ch: i for i, ch in enumerate(itos)}, itos


def encode(text: str, stoi: dict[str, int]) -> Tensor:
    """Character ids of ``text``, (L,) int64; an unknown character raises ``KeyError``."""
    return torch.tensor([stoi[ch] for ch in text], dtype=torch.long)


def decode(ids: Sequence[int] | Tensor, itos: Sequence[str]) -> str:
    """The text of a sequence of ids."""
    return "".join(itos[int(i)] for i in ids)


def make_sequences(ids: Tensor, seq_len: int) -> tuple[Tensor, Tensor]:
    """Cut ids (L,) into consecutive, non-overlapping training windows.

    Returns:
        X, Y: each (M, seq_len) with M = (L - 1) // seq_len; X[m] = ids[m T:(m + 1) T]
        and Y[m] = ids[m T + 1:(m + 1) T + 1], the same window one step ahead.
    """
    M = (len(ids) - 1) // seq_len
    X = ids[: M * seq_len].reshape(M, seq_len)
    Y = ids[1 : M * seq_len + 1].reshape(M, seq_len)
    return X, Y


def batchify(ids: Tensor, num_streams: int) -> Tensor:
    """Lay ``ids`` (L,) out as N parallel streams, (N, L // N); the tail that does not fit is dropped.

    Row n is the contiguous slice ``ids[n S:(n + 1) S]`` with ``S = L // N``, so reading
    along a row is reading the text.
    """
    S = len(ids) // num_streams
    if S < 2:
        raise ValueError(f"a text of {len(ids)} characters is too short for {num_streams} streams")
    return ids[: num_streams * S].reshape(num_streams, S)


def chunks(streams: Tensor, seq_len: int) -> Iterator[tuple[Tensor, Tensor]]:
    """Consecutive (x, y) chunks along the streams, each (N, T) with T <= seq_len.

    `y` is `x` one step ahead; the last chunk may be shorter so that no character is lost.
    """
    S = streams.shape[1]
    for start in range(0, S - 1, seq_len):
        stop = min(start + seq_len, S - 1)
        yield streams[:, start:stop], streams[:, start + 1 : stop + 1]


def detach_state(state: State) -> State:
    """Cut the graph between chunks: same values, no gradient path to earlier chunks."""
    return tuple(s.detach() for s in state)  # type: ignore[return-value]


def train_step(model: nn.Module, optimizer: torch.optim.Optimizer, x: Tensor, y: Tensor,
               state: State | None = None, clip_norm: float | None = 1.0) -> tuple[float, State]:
    """One step of truncated BPTT on the chunk x (N, T) with targets y (N, T).

        loss = −1/(N T) · Σₙ,ₜ log p(yₙₜ | xₙ,≤ₜ, h₀)
        g ← g · min(1, c / (‖g‖ + 10⁻⁶))

    The incoming state h₀ is detached first, so the gradient stops at the chunk's start;
    gradients are zeroed, computed, clipped to global norm clip_norm (c; None: no clipping)
    and applied by optimizer.

    Args:
        model: maps (x (N, T), state) to (logits (N, T, V), state), like CharLSTM.
        state: (h, c), each (L, N, H), from the previous chunk, or None for zeros.

    Returns:
        The chunk's mean cross-entropy before the update (a float, nats per character) and the
        state at the chunk's end, to pass to the next step.
    """
    if state is not None:
        state = detach_state(state)  # keep the values, drop the graph of earlier chunks
    logits, state = model(x, state)  # (N, T, V)
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))  # mean over N T
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    if clip_norm is not None:
        nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
    optimizer.step()
    return float(loss.detach()), state


def bits_per_char(nats: float) -> float:
    """Convert a loss in nats per character to bits per character."""
    return nats / math.log(2)


def perplexity(nats: float) -> float:
    """``exp(nats)``: the size of a uniform choice that is as uncertain as the model."""
    return math.exp(nats)


@torch.no_grad()
def evaluate(model: nn.Module, ids: Tensor, *, num_streams: int = 16, seq_len: int = 256) -> float:
    """Mean cross-entropy in nats per character over ``ids`` (L,), carrying the state.

    The text is read as N streams, each from a zero state, so only the first characters of a
    stream see a short context.
    """
    was_training = model.training
    model.eval()
    total, count, state = 0.0, 0, None
    for x, y in chunks(batchify(ids, num_streams), seq_len):
        logits, state = model(x, state)
        total += float(F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="sum"))
        count += y.numel()
    model.train(was_training)
    return total / count


@dataclass
class TrainLog:
    """What :func:`train_tbptt` did.

    Attributes:
        step_loss: training loss (nats/char) of every step.
        val_steps, val_loss: the steps at which the validation loss was measured, and its values.
        seconds: wall-clock time of training, evaluation included.
        samples: ``{step: text}`` from the ``sample`` callback.
    """

    step_loss: list[float] = field(default_factory=list)
    val_steps: list[int] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    seconds: float = 0.0
    samples: dict[int, str] = field(default_factory=dict)


def train_tbptt(model: nn.Module, train_ids: Tensor, *, num_streams: int = 32, seq_len: int = 64,
                lr: float = 2e-3, clip_norm: float | None = 1.0, max_steps: int | None = None,
                time_budget: float | None = None, val_ids: Tensor | None = None, eval_every: int = 100,
                sample: Callable[[nn.Module], str] | None = None, sample_at: Sequence[int] = (),
                progress: Callable[[int, TrainLog], None] | None = None) -> TrainLog:
    """Train a character model with Adam and truncated BPTT, state carried across chunks.

    Each step, :func:`train_step`, reads the next (N, T) chunk of every stream, starting from
    the state the previous step left (detached); after the last chunk the streams start again
    from a zero state. The gradient's global norm is clipped to ``clip_norm`` before each update.

    Args:
        model: maps ``(x (N, T), state)`` to ``(logits (N, T, V), state)``.
        train_ids: the encoded training text, (L,).
        num_streams, seq_len: N and T.
        lr: Adam's learning rate, decayed linearly to ``lr / 10`` over the run when the run's
            length is known from ``max_steps`` or ``time_budget``.
        max_steps, time_budget: stop after this many steps or seconds (at least one is needed).
        val_ids: if given, :func:`evaluate` on it every ``eval_every`` steps and at the end.
        sample, sample_at: call ``sample(model)`` after the listed steps (0 = before training)
            and after the last one.

    Returns:
        The :class:`TrainLog`.
    """
    if max_steps is None and time_budget is None:
        raise ValueError("give max_steps or time_budget")
    streams = batchify(train_ids, num_streams)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    log, state, step, start = TrainLog(), None, 0, time.perf_counter()
    batches = chunks(streams, seq_len)

    def record(step: int) -> None:
        if sample is not None and (step in sample_at or (step > 0 and done())):
            log.samples[step] = sample(model)
        if val_ids is not None and (step % eval_every == 0 or done()):
            log.val_steps.append(step)
            log.val_loss.append(evaluate(model, val_ids))
        if progress is not None:
            progress(step, log)

    def done() -> bool:
        return (max_steps is not None and step >= max_steps) or (
            time_budget is not None and time.perf_counter() - start >= time_budget)

    def fraction() -> float:  # how far through the run, for the learning-rate decay
        by_steps = step / max_steps if max_steps else 0.0
        by_time = (time.perf_counter() - start) / time_budget if time_budget else 0.0
        return min(1.0, max(by_steps, by_time))

    record(0)
    model.train()
    while not done():
        try:
            x, y = next(batches)
        except StopIteration:  # one pass over the text is over: start the streams again
            batches, state = chunks(streams, seq_len), None
            x, y = next(batches)
        for group in optimizer.param_groups:
            group["lr"] = lr * (1.0 - 0.9 * fraction())  # linear decay to lr / 10
        loss, state = train_step(model, optimizer, x, y, state, clip_norm)
        step += 1
        log.step_loss.append(loss)
        if not math.isfinite(log.step_loss[-1]):
            raise FloatingPointError(f"the loss became {log.step_loss[-1]} at step {step}")
        record(step)
    log.seconds = time.perf_counter() - start
    return log


def save_checkpoint(path: str | Path, model: CharLSTM, config: dict[str, Any], itos: Sequence[str],
                    log: TrainLog) -> Path:
    """Save the weights, the constructor arguments, the vocabulary and the training log."""
    return checkpoint.save(path, model, config, itos, log)


def load_checkpoint(path: str | Path) -> tuple[CharLSTM, dict[str, int], list[str], TrainLog]:
    """Rebuild what `save_checkpoint` saved: `(model, stoi, itos, log)`, model in eval mode."""
    return checkpoint.load(path, CharLSTM, TrainLog)


def train_or_load(path: str | Path, config: dict[str, Any], itos: Sequence[str],
                  train: Callable[[CharLSTM], TrainLog], *,
                  retrain: bool = False) -> tuple[CharLSTM, TrainLog]:
    """Reuse the checkpoint at `path` if it holds a `CharLSTM` with this config and vocabulary.

    Otherwise build `CharLSTM(**config)` (seed the global generator first for a repeatable
    initialisation), run `train(model)`, save the checkpoint and return the model in eval mode.
    """
    return checkpoint.train_or_load(path, CharLSTM, TrainLog, config, itos, train, retrain=retrain)
