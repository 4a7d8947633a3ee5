r"""Training sequence classifiers: batches of padded ids and lengths, evaluation, early stopping.

Shapes: N batch, T time steps (tokens), C classes (``C = 1`` means one logit for a binary task).
Every loop here is :func:`course_lib.training.loop.fit` with a classification loss:

* :func:`train_full_batch` — the whole (toy) training set as one batch, Adam, as in seed 000
  (chapter 5's "i am not bad").
* :func:`train_classifier` — mini-batches of an :class:`EncodedSplit`, train/validation loss and
  accuracy every epoch, and :class:`BestState` to keep the best epoch (chapter 6).

:func:`benchmark_record` reads what ``bench/text_classification.py --record`` stored: each
task's configuration, per-epoch history and result, for learning curves longer than a book
page can afford to train.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import torch
from numpy.typing import NDArray
from torch import Tensor, nn

from course_lib.training.loop import History, fit

if TYPE_CHECKING:
    from course_lib.data.toy_sentiment import ToyBatch

RECORD_PATH = Path(__file__).with_name("records") / "text_classification.json"  # package data


def train_full_batch(model: nn.Module, batch: ToyBatch, *, epochs: int = 1000, lr: float = 1e-3,
                     progress: bool = False) -> History:
    """Full-batch Adam on the cross-entropy, as in the seed post (1000 epochs, lr 0.001).

        L = −(1/N) ∑_n log softmax(model(x_n))[y_n]

    Args:
        model: called as `model(ids, lengths)` and returns logits (N, C).
        batch: one batch with `ids`, `lengths` and `targets`, e.g.
            `course_lib.data.toy_sentiment.toy_batch`.

    Returns:
        The `course_lib.training.loop.History`; `step_loss` has one entry per epoch.
    """
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    criterion = nn.CrossEntropyLoss()

    def loss_fn(m: nn.Module, b: ToyBatch) -> Tensor:
        return criterion(m(b.ids, b.lengths), b.targets)

    return fit(model, optimizer, lambda: [batch], loss_fn, epochs=epochs, progress=progress,
               desc="toy sentiment")


def loss_and_correct(logits: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    """Mean loss and number of correct predictions.

    logits (N, C) with y (N,) class ids uses cross-entropy; logits (N, 1) with y (N,) in
    {0, 1} uses binary cross-entropy on :math:`\\sigma(\\text{logit})`.
    """
    if logits.shape[1] == 1:
        z = logits[:, 0]
        loss = nn.functional.binary_cross_entropy_with_logits(z, y.float())
        return loss, ((z > 0).long() == y).sum()
    return nn.functional.cross_entropy(logits, y), (logits.argmax(dim=1) == y).sum()


class EncodedSplit(NamedTuple):
    """ids (N, T) int64, lengths (N,) int64, labels (N,) int64, as tensors."""

    ids: Tensor
    lengths: Tensor
    labels: Tensor

    @staticmethod
    def from_numpy(ids: NDArray[np.int64], lengths: NDArray[np.int64],
                   labels: NDArray[np.int64]) -> EncodedSplit:
        return EncodedSplit(torch.from_numpy(ids), torch.from_numpy(lengths), torch.from_numpy(labels))

    def subset(self, index: Tensor) -> EncodedSplit:
        return EncodedSplit(self.ids[index], self.lengths[index], self.labels[index])


def train_val_split(data: EncodedSplit, val_fraction: float, generator: torch.Generator
                    ) -> tuple[EncodedSplit, EncodedSplit]:
    """Hold out a random ``val_fraction`` of the *training* data for validation."""
    order = torch.randperm(len(data.labels), generator=generator)
    n_val = round(len(order) * val_fraction)
    return data.subset(order[n_val:]), data.subset(order[:n_val])


def batches(data: EncodedSplit, batch_size: int, *, generator: torch.Generator | None = None
            ) -> Iterator[EncodedSplit]:
    """Mini-batches in a fresh random order (or in order if ``generator`` is None)."""
    n = len(data.labels)
    order = torch.arange(n) if generator is None else torch.randperm(n, generator=generator)
    for start in range(0, n, batch_size):
        yield data.subset(order[start:start + batch_size])


@torch.no_grad()
def evaluate(model: nn.Module, data: EncodedSplit, *, packed: bool, batch_size: int = 1000
             ) -> dict[str, float]:
    """Mean loss and accuracy over ``data`` in eval mode: ``{"loss": ..., "accuracy": ...}``."""
    was_training = model.training
    model.eval()
    total_loss, correct = 0.0, 0
    for b in batches(data, batch_size):
        loss, right = loss_and_correct(model(b.ids, b.lengths if packed else None), b.labels)
        total_loss += float(loss) * len(b.labels)
        correct += int(right)
    model.train(was_training)
    n = len(data.labels)
    return {"loss": total_loss / n, "accuracy": correct / n}


def train_classifier(model: nn.Module, train: EncodedSplit, val: EncodedSplit, *, epochs: int,
                     batch_size: int, generator: torch.Generator, packed: bool = False,
                     lr: float = 1e-3, progress: bool = True, desc: str = "train",
                     on_epoch: Callable[[nn.Module, int, dict[str, float]], None] | None = None
                     ) -> History:
    """Adam on the classification loss; records train/val loss and accuracy every epoch.

    The history's epoch records hold ``train_loss`` (running mean during the epoch),
    ``train_accuracy`` (running), ``val_loss``, ``val_accuracy`` and ``seconds``.
    ``on_epoch(model, epoch, record)`` is called after each epoch's evaluation (e.g.
    :class:`BestState`).
    """
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    running = {"correct": 0, "seen": 0}
    epoch_counter = {"epoch": 0}

    def loss_fn(m: nn.Module, b: EncodedSplit) -> Tensor:
        loss, right = loss_and_correct(m(b.ids, b.lengths if packed else None), b.labels)
        running["correct"] += int(right)
        running["seen"] += len(b.labels)
        return loss

    def evaluate_epoch(m: nn.Module) -> dict[str, float]:
        record = {"train_accuracy": running["correct"] / max(running["seen"], 1)}
        running.update(correct=0, seen=0)
        record.update({f"val_{k}": v for k, v in evaluate(m, val, packed=packed).items()})
        epoch_counter["epoch"] += 1
        if on_epoch is not None:
            on_epoch(m, epoch_counter["epoch"], record)
        return record

    return fit(model, optimizer, lambda: batches(train, batch_size, generator=generator), loss_fn,
               epochs=epochs, evaluate=evaluate_epoch, progress=progress, desc=desc)


class BestState:
    """Keeps a copy of the weights from the epoch with the best validation accuracy.

    Use as ``on_epoch`` of :func:`train_classifier`, then ``best.restore(model)``: early
    stopping chosen by validation data, never by the test set.
    """

    def __init__(self) -> None:
        self.accuracy, self.epoch = -1.0, 0
        self.state: dict[str, Tensor] = {}

    def __call__(self, model: nn.Module, epoch: int, record: dict[str, float]) -> None:
        accuracy = record["val_accuracy"]
        if accuracy > self.accuracy:
            self.accuracy, self.epoch = accuracy, epoch
            self.state = {k: v.detach().clone() for k, v in model.state_dict().items()}

    def restore(self, model: nn.Module) -> nn.Module:
        model.load_state_dict(self.state)
        return model


def seconds_per_epoch(history: History) -> float:
    """Mean wall-clock seconds of the recorded epochs (training plus validation)."""
    return float(np.mean(history.series("seconds")))



def benchmark_record(task: str) -> dict[str, Any]:
    """One task's recorded benchmark run: ``{"config", "history", "result", "recorded", ...}``.

    ``history`` holds one :func:`train_classifier` epoch record per epoch (``epoch``,
    ``train_loss``, ``train_accuracy``, ``val_loss``, ``val_accuracy``, ``seconds``); ``config``
    is everything that determined the run (``bench/text_classification.py``'s ``task_config``).

    Raises:
        KeyError: naming the recorded tasks, if ``task`` is not one of them.
    """
    records = json.loads(RECORD_PATH.read_text(encoding="utf-8"))
    if task not in records:
        raise KeyError(f"no recorded run of {task!r}; recorded: {sorted(records)}")
    return records[task]
