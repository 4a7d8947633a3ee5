r"""Training encoder–decoders with teacher forcing, evaluating them, and caching their weights.

Shapes: N batch, S source length, L target length (end of sequence included), V target
vocabulary.

A model here is a :class:`~course_lib.torch_nn.seq2seq_rnn.Seq2SeqGRU` or a
:class:`~course_lib.torch_nn.seq2seq_transformer.Seq2SeqTransformer`: ``model(src, lengths,
tgt_in)`` returns ``(logits (N, L, V), attention)``, ``model.greedy(...)`` decodes a batch and
``model.step_function(src)`` gives the one-sentence ``step`` of the decoding functions.

**Teacher forcing.** During training the decoder reads the *true* previous token,
``shift_right(targets)``, never its own guess, so all L positions are trained in one pass and
the loss is :func:`~course_lib.torch_nn.seq2seq.sequence_loss`, the mean cross-entropy over
the real (non-padding) target tokens.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, NamedTuple

import torch
from torch import Tensor, nn

from course_lib.data.translation import BOS_ID, EOS_ID, PAD_ID, TranslationTask, exact_match
from course_lib.torch_nn.seq2seq import sequence_loss, shift_right
from course_lib.torch_nn.seq2seq_rnn import Seq2SeqGRU
from course_lib.torch_nn.seq2seq_transformer import Seq2SeqTransformer
from course_lib.training.loop import History, fit

Model = Seq2SeqGRU | Seq2SeqTransformer


class Batch(NamedTuple):
    """Source ids (N, S), source lengths (N,), target ids with end of sequence (N, L)."""

    src: Tensor
    lengths: Tensor
    tgt: Tensor


def encode_split(task: TranslationTask, split: str) -> Batch:
    """A whole split as one padded Batch."""
    pairs = task.split(split)
    src, lengths = task.encode_sources(pairs.sources)
    return Batch(src, lengths, task.encode_targets(pairs.targets))


def trim(batch: Batch) -> Batch:
    """Drop the padding columns no row of this batch needs."""
    S = int(batch.lengths.max())
    L = int((batch.tgt != PAD_ID).sum(dim=1).max())
    return Batch(batch.src[:, :S], batch.lengths, batch.tgt[:, :L])


def batch_stream(data: Batch, batch_size: int, generator: torch.Generator) -> Iterator[Batch]:
    """Shuffled mini-batches without end: a fresh permutation for every pass over data.

    The last incomplete batch of each pass is dropped, so every step sees batch_size pairs.
    """
    while True:
        order = torch.randperm(len(data.src), generator=generator)
        for start in range(0, len(order) - batch_size + 1, batch_size):
            index = order[start : start + batch_size]
            yield trim(Batch(data.src[index], data.lengths[index], data.tgt[index]))


def teacher_forcing_loss(model: nn.Module, batch: Batch) -> Tensor:
    """The training loss: predict tgt from the source and the true previous tokens."""
    logits, _ = model(batch.src, batch.lengths, shift_right(batch.tgt, BOS_ID))
    return sequence_loss(logits, batch.tgt, PAD_ID)


@dataclass(frozen=True)
class TrainConfig:
    """How train trains: steps Adam updates of batch_size pairs.

    The learning rate rises linearly over the first warmup steps (none by default) to
    lr, then falls linearly to lr / 10 at the last step; the gradient's global norm is
    clipped to clip_norm. Validation runs every eval_every steps on the first
    eval_size validation pairs.
    """

    steps: int = 600
    batch_size: int = 128
    lr: float = 2e-3
    warmup: int = 0
    clip_norm: float = 1.0
    eval_every: int = 100
    eval_size: int = 500
    seed: int = 0


def learning_rate(step: int, config: TrainConfig) -> float:
    """The learning rate of step 1 .. config.steps: linear warm-up, then linear decay to lr / 10."""
    if step <= config.warmup:
        return config.lr * step / config.warmup
    decayed = (step - config.warmup) / max(1, config.steps - config.warmup)
    return config.lr * (1.0 - 0.9 * decayed)


def train(model: Model, task: TranslationTask, config: TrainConfig, *, progress: bool = True,
          desc: str = "train") -> History:
    """Train model on task's training split with teacher forcing.

    Built on course_lib.training.loop.fit: one of its "epochs" is eval_every
    steps here, after which the validation loss (teacher forcing) and the validation exact
    match (greedy decoding) are recorded. The batches come from a generator seeded with
    config.seed; seed torch's global generator before building the model for a
    repeatable initialisation.

    Returns:
        The course_lib.training.loop.History; history.epoch[k]["step"] is the
        number of steps done at the k-th record.
    """
    if config.steps % config.eval_every:
        raise ValueError(f"steps ({config.steps}) must be a multiple of eval_every ({config.eval_every})")
    stream = batch_stream(encode_split(task, "train"), config.batch_size,
                          torch.Generator().manual_seed(config.seed))
    val = Batch(*(t[: config.eval_size] for t in encode_split(task, "val")))
    val_targets = task.val.targets[: config.eval_size]
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    done = 0

    def loss_fn(model: nn.Module, batch: Batch) -> Tensor:
        nonlocal done
        done += 1  # set this step's learning rate before fit() calls optimizer.step()
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(done, config)
        return teacher_forcing_loss(model, batch)

    def evaluate(_: nn.Module) -> dict[str, float]:  # fit() passes the model it trains: ours
        predictions = translate(model, task, task.val.sources[: config.eval_size])
        return {"step": done, "val_loss": float(teacher_forcing_loss(model, trim(val))),
                "val_exact": exact_match(predictions, val_targets)}

    return fit(model, optimizer, lambda: itertools.islice(stream, config.eval_every), loss_fn,
               epochs=config.steps // config.eval_every, clip_norm=config.clip_norm, evaluate=evaluate,
               progress=progress, desc=desc)


@torch.no_grad()
def translate(model: Model, task: TranslationTask, sources: Sequence[str], *,
              max_len: int | None = None, batch_size: int = 1000) -> list[str]:
    """Greedy translations of sources, decoded a batch at a time.

    max_len defaults to the longest training target plus its end of sequence and a margin
    of a few tokens, so that a model that never stops is cut off (and counted wrong).
    """
    if max_len is None:
        max_len = max(len(t) for t in task.train.targets) + 1 + 4
    was_training = model.training
    model.eval()
    out = []
    for start in range(0, len(sources), batch_size):
        src, lengths = task.encode_sources(sources[start : start + batch_size])
        ids, _ = model.greedy(src, lengths, BOS_ID, EOS_ID, max_len)
        out += [task.target_vocab.decode(row) for row in ids]
    model.train(was_training)
    return out


def accuracy_by(key: Callable[[str], int], sources: Sequence[str], predictions: Sequence[str],
                targets: Sequence[str]) -> dict[int, tuple[float, int]]:
    """Exact match grouped by key(source) (e.g. the number of digits): {k: (accuracy, count)}."""
    groups: dict[int, list[bool]] = {}
    for source, prediction, target in zip(sources, predictions, targets, strict=True):
        groups.setdefault(key(source), []).append(prediction == target)
    return {k: (sum(v) / len(v), len(v)) for k, v in sorted(groups.items())}


def train_or_load(path: str | Path, build: Callable[[], nn.Module], train_fn: Callable[[nn.Module], History],
                  config: dict[str, Any], *, retrain: bool = False) -> tuple[nn.Module, History]:
    """Reuse the checkpoint at path if it was saved with exactly this config.

    Otherwise model = build(), history = train_fn(model), and both are saved with the
    config (weights, the history, nothing else). config should name everything that
    changes the result: the model's sizes, the task, TrainConfig. A checkpoint whose
    weights no longer fit the model's code (a renamed layer) is retrained too. The model is
    returned in eval mode.
    """
    path = Path(path)
    model = build()
    if path.exists() and not retrain:
        saved = torch.load(path, weights_only=True)
        if saved.get("config") == config:
            try:
                model.load_state_dict(saved["state_dict"])
            except RuntimeError:  # the code changed shape or names since: train again
                pass
            else:
                return model.eval(), History(**saved["history"])
    history = train_fn(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"config": config, "state_dict": model.state_dict(), "history": asdict(history)}, path)
    return model.eval(), history


def sequence_score(step: Callable[[int, Any], tuple[Tensor, Any]], state: Any, bos_id: int,
                   tokens: Sequence[int]) -> float:
    """The log-probability a step function gives to one whole output: Σ_t log p(y_t | y_<t, x)."""
    total, fed = 0.0, bos_id
    for token in tokens:
        log_probs, state = step(fed, state)
        total += float(log_probs[token])
        fed = token
    return total


@torch.no_grad()
def corrupted_prefix_accuracy(model: nn.Module, batch: Batch, generator: torch.Generator,
                              vocab_size: int) -> tuple[float, float]:
    """How well the decoder does after one wrong token in its input, against the same input clean.

    In every pair one decoder input shift_right(tgt)[n, j], with 1 <= j < length (a true
    previous token, never <bos>), is replaced by a different random ordinary token; j is
    uniform. Teacher forcing trains only on clean inputs, so this is the situation greedy
    decoding creates after its own first mistake.

    Returns:
        The accuracy of the argmax at positions j, j + 1, ... (those that read the wrong
        token or come after it), with the clean input and with the corrupted one.
    """
    tgt_in = shift_right(batch.tgt, BOS_ID)
    lengths = (batch.tgt != PAD_ID).sum(dim=1)                                   # eos included
    j = 1 + (torch.rand(len(lengths), generator=generator) * (lengths - 1)).long()
    first_ordinary = EOS_ID + 1
    wrong = torch.randint(first_ordinary, vocab_size - 1, (len(lengths),), generator=generator)
    original = tgt_in[torch.arange(len(j)), j]
    wrong = wrong + (wrong >= original).long()          # uniform over the ordinary tokens but the true one
    corrupted = tgt_in.clone()
    corrupted[torch.arange(len(j)), j] = wrong
    positions = torch.arange(tgt_in.shape[1])
    scored = (positions >= j[:, None]) & (positions < lengths[:, None])
    accuracy = []
    for decoder_input in (tgt_in, corrupted):
        logits, _ = model(batch.src, batch.lengths, decoder_input)
        right = (logits.argmax(-1) == batch.tgt) & scored
        accuracy.append(float(right.sum() / scored.sum()))
    return accuracy[0], accuracy[1]
