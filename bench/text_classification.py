"""Benchmark: seed 001's text classifiers in PyTorch, trained to convergence on CPU.

Run from the repository root (reads data through the loaders; set COURSE_DATA_MIRROR
to use the shared mirror)::

    COURSE_DATA_MIRROR=../shared/data .venv/bin/python bench/text_classification.py
    .venv/bin/python bench/text_classification.py --tasks imdb --epochs 3   # a quick look

For each task it holds out 10% of the training data for validation, trains with Adam
(batch 100, as the seed), keeps the weights of the epoch with the best validation accuracy
(the test set never chooses anything), and prints the test accuracy, the training time and
ratios to

* the anchors: seed 001's Keras Conv1D+LSTM on IMDB, about 0.85 (Keras' own
  ``imdb_cnn_lstm`` example reports 0.8498 after 2 epochs); our goals of 0.70 on the
  46-topic Reuters task; and, for NSMC, no published anchor for this model and data size;
* a baseline measured in the same run: always predicting the most frequent training class.

One run (2026-11-23, 2 shared cores under heavy load from other jobs, one thread, each task in
its own process): Reuters 0.771 (best epoch 17 of 20; 1.10 x the 0.70 goal, 1.82 x majority),
IMDB 0.854 (best epoch 2 of 5; 1.005 x the 0.85 anchor), NSMC words 0.713, syllables 0.762,
character bigrams 0.774 (majority 0.502). Seconds per epoch: 123 (Reuters), 413 (IMDB),
41-99 (NSMC); on an idle machine expect several times less.
"""
from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from course_lib.data.imdb import load_imdb
from course_lib.data.keras_text import (
    KerasStyleEncoder,
    LabelledTexts,
    tokenize_char_ngrams,
    tokenize_syllables,
    tokenize_words,
)
from course_lib.data.nsmc import load_nsmc
from course_lib.data.reuters import load_reuters
from course_lib.torch_nn.text_classifiers import ConvLSTMClassifier, LSTMClassifier, count_parameters, keras_init_
from course_lib.training.classification import (
    BestState,
    EncodedSplit,
    evaluate,
    seconds_per_epoch,
    train_classifier,
)

VAL_FRACTION = 0.1  # share of the training data held out for validation
BATCH_SIZE = 100    # seed 001's batch size
SEED = 0

ANCHORS = {  # task -> (accuracy, what it is)
    "imdb": (0.85, "seed 001 Keras Conv1D+LSTM (Keras example: 0.8498)"),
    "reuters": (0.70, "goal for the 46-topic task"),
}


@dataclass
class Task:
    name: str
    train: LabelledTexts
    test: LabelledTexts
    encoder: KerasStyleEncoder
    make_model: Callable[[int, int], torch.nn.Module]
    epochs: int
    packed: bool = False


def split_texts(data: LabelledTexts, generator: torch.Generator) -> tuple[LabelledTexts, LabelledTexts]:
    """Random (train, validation) split of raw texts, so the vocabulary sees only the train part."""
    order = torch.randperm(len(data.texts), generator=generator).numpy()
    n_val = round(len(order) * VAL_FRACTION)

    def pick(index: np.ndarray) -> LabelledTexts:
        return LabelledTexts([data.texts[i] for i in index], data.labels[index])

    return pick(order[n_val:]), pick(order[:n_val])


def encode(encoder: KerasStyleEncoder, data: LabelledTexts) -> EncodedSplit:
    ids, lengths = encoder.transform(data.texts)
    return EncodedSplit.from_numpy(ids, lengths, data.labels)


def run(task: Task, *, progress: bool) -> dict[str, float]:
    generator = torch.Generator().manual_seed(SEED)
    torch.manual_seed(SEED)  # dropout masks use the global generator
    train_texts, val_texts = split_texts(task.train, generator)
    start = time.perf_counter()
    task.encoder.fit(train_texts.texts)
    train, val, test = (encode(task.encoder, d) for d in (train_texts, val_texts, task.test))
    prep_seconds = time.perf_counter() - start
    classes = int(task.train.labels.max()) + 1
    model = keras_init_(task.make_model(task.encoder.vocab_size, 1 if classes == 2 else classes))
    best = BestState()
    start = time.perf_counter()
    history = train_classifier(model, train, val, epochs=task.epochs, batch_size=BATCH_SIZE,
                               generator=generator, packed=task.packed, progress=progress,
                               desc=task.name, on_epoch=best)
    train_seconds = time.perf_counter() - start
    best.restore(model)
    majority = float(np.mean(test.labels.numpy() == np.bincount(train.labels.numpy()).argmax()))
    return {
        "test_accuracy": evaluate(model, test, packed=task.packed)["accuracy"],
        "best_epoch": best.epoch, "val_accuracy": best.accuracy, "majority": majority,
        "parameters": count_parameters(model), "seconds_per_epoch": seconds_per_epoch(history),
        "train_seconds": train_seconds, "prep_seconds": prep_seconds,
        "n_train": len(train.labels), "n_test": len(test.labels),
    }


def make_tasks(names: list[str], epochs: int | None) -> list[Task]:
    tasks: list[Task] = []
    if "reuters" in names:
        reuters = load_reuters(progress=False)
        tasks.append(Task("reuters", reuters.train, reuters.test,
                          KerasStyleEncoder(num_words=1000, maxlen=100, tokenizer=tokenize_words),
                          lambda v, c: LSTMClassifier(v, c), epochs or 20))
    if "imdb" in names:
        tasks.append(Task("imdb", load_imdb("train", progress=False), load_imdb("test", progress=False),
                          KerasStyleEncoder(num_words=5000, maxlen=100, tokenizer=tokenize_words),
                          lambda v, c: ConvLSTMClassifier(v, c), epochs or 5))
    if "nsmc" in names:
        train, test = load_nsmc("train", progress=False), load_nsmc("test", progress=False)
        for label, tokenizer in [("words", tokenize_words), ("syllables", tokenize_syllables),
                                 ("bigrams", tokenize_char_ngrams)]:
            tasks.append(Task(f"nsmc-{label}", train.data, test.data,
                              KerasStyleEncoder(num_words=5000, maxlen=100, tokenizer=tokenizer),
                              lambda v, c: ConvLSTMClassifier(v, c), epochs or 10))
    return tasks


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", nargs="+", default=["reuters", "imdb", "nsmc"],
                        choices=["reuters", "imdb", "nsmc"])
    parser.add_argument("--epochs", type=int, default=None, help="override every task's epochs")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads (1: OpenMP threads spin badly on a shared, busy CPU)")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    rows = []
    for task in make_tasks(args.tasks, args.epochs):
        result = run(task, progress=not args.no_progress)
        rows.append((task, result))
        print(f"{task.name}: {result}", flush=True)
    print()
    print(f"{'task':<16}{'test acc':>9}{'best ep':>8}{'params':>9}{'s/epoch':>9}{'train s':>9}"
          f"{'majority':>9}{'÷majority':>10}{'anchor':>8}{'÷anchor':>9}")
    for task, r in rows:
        anchor = ANCHORS.get(task.name, (float("nan"), ""))[0]
        print(f"{task.name:<16}{r['test_accuracy']:>9.4f}{r['best_epoch']:>8d}{r['parameters']:>9,d}"
              f"{r['seconds_per_epoch']:>9.1f}{r['train_seconds']:>9.1f}{r['majority']:>9.4f}"
              f"{r['test_accuracy'] / r['majority']:>10.2f}{anchor:>8.3f}{r['test_accuracy'] / anchor:>9.3f}")
    for name, (value, what) in ANCHORS.items():
        print(f"anchor {name}: {value} = {what}")


if __name__ == "__main__":
    main()
