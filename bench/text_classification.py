"""Benchmark: seed 001's text classifiers in PyTorch, trained to convergence on CPU.

Run from the repository root (reads data through the loaders; set COURSE_DATA_MIRROR
to use the shared mirror)::

    COURSE_DATA_MIRROR=../shared/data .venv/bin/python bench/text_classification.py --record
    .venv/bin/python bench/text_classification.py --tasks imdb --epochs 3   # a quick look

For each task it holds out 10% of the training data for validation, trains with Adam
(batch 100, as the seed), keeps the weights of the epoch with the best validation accuracy
(the test set never chooses anything), and prints the test accuracy, the training time and
ratios to

* the anchors: for IMDB, 0.85, the 0.8498 that Keras' own ``imdb_cnn_lstm`` example reports
  after 2 epochs of the same architecture with other settings (20,000 words, 128-wide
  embeddings, dropout 0.25, an LSTM of 70 units and batches of 30, against the seed's 5,000
  words, 100-wide embeddings, dropout 0.5, 100 units and batches of 100; seed 001 prints its
  own test accuracy but does not report it); for Reuters, our goal of 0.70 on the 46-topic
  task; for NSMC, no published anchor for this model and data size.
* a baseline measured in the same run: always predicting the most frequent training class.

``--record`` stores every task's configuration (:data:`TASKS` with :data:`COMMON`), its full
per-epoch history and its result in :data:`RECORD`
(``course_lib/training/records/text_classification.json``, installed with ``course_lib`` so that
chapter 6 can draw its learning curves from it anywhere, Colab included);
``tests/test_bench_records.py`` checks that the record matches this file's configuration. The
record also says when and with which torch it was made, and how many threads; seconds per
epoch depend on the machine and its other load.
"""
from __future__ import annotations

import argparse
import datetime
import json
import time
from pathlib import Path
from typing import Any

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
from course_lib.torch_nn.text_classifiers import (
    ConvLSTMClassifier,
    LSTMClassifier,
    count_parameters,
    keras_init_,
)
from course_lib.training.classification import (
    RECORD_PATH,
    BestState,
    EncodedSplit,
    evaluate,
    seconds_per_epoch,
    train_classifier,
)

RECORD = RECORD_PATH  # course_lib/training/records/text_classification.json: installed with course_lib

COMMON: dict[str, Any] = {  # settings every task shares (seed 001's, where it has them)
    "val_fraction": 0.1,     # share of the training data held out for validation
    "batch_size": 100,       # seed 001's batch size
    "optimizer": "Adam",
    "lr": 1e-3,              # Keras' Adam default, as the seed compiles with optimizer="adam"
    "seed": 0,
    "init": "keras_init_",   # Keras' default initial weights
}

TASKS: dict[str, dict[str, Any]] = {  # name -> data, encoding, model and epochs
    "reuters": {"data": "reuters", "num_words": 1000, "maxlen": 100, "tokenizer": "words",
                "padding": "pre", "packed": False, "model": "LSTMClassifier", "epochs": 20},
    "reuters-post": {"data": "reuters", "num_words": 1000, "maxlen": 100, "tokenizer": "words",
                     "padding": "post", "packed": False, "model": "LSTMClassifier", "epochs": 20},
    "reuters-packed": {"data": "reuters", "num_words": 1000, "maxlen": 100, "tokenizer": "words",
                       "padding": "post", "packed": True, "model": "LSTMClassifier", "epochs": 20},
    "imdb": {"data": "imdb", "num_words": 5000, "maxlen": 100, "tokenizer": "words",
             "padding": "pre", "packed": False, "model": "ConvLSTMClassifier", "epochs": 5},
    "nsmc-words": {"data": "nsmc", "num_words": 5000, "maxlen": 100, "tokenizer": "words",
                   "padding": "pre", "packed": False, "model": "ConvLSTMClassifier", "epochs": 10},
    "nsmc-syllables": {"data": "nsmc", "num_words": 5000, "maxlen": 100, "tokenizer": "syllables",
                       "padding": "pre", "packed": False, "model": "ConvLSTMClassifier", "epochs": 10},
    "nsmc-bigrams": {"data": "nsmc", "num_words": 5000, "maxlen": 100, "tokenizer": "char bigrams",
                     "padding": "pre", "packed": False, "model": "ConvLSTMClassifier", "epochs": 10},
}
GROUPS = {"reuters": ["reuters", "reuters-post", "reuters-packed"], "imdb": ["imdb"],
          "nsmc": ["nsmc-words", "nsmc-syllables", "nsmc-bigrams"]}

TOKENIZERS = {"words": tokenize_words, "syllables": tokenize_syllables, "char bigrams": tokenize_char_ngrams}
MODELS = {"LSTMClassifier": LSTMClassifier, "ConvLSTMClassifier": ConvLSTMClassifier}

ANCHORS = {  # task -> (accuracy, what it is)
    "imdb": (0.85, "Keras' imdb_cnn_lstm example, 0.8498 (20,000 words, 128-wide embeddings)"),
    "reuters": (0.70, "goal for the 46-topic task"),
}


def task_config(name: str) -> dict[str, Any]:
    """Everything that determines a task's run: :data:`COMMON` and its entry in :data:`TASKS`."""
    return {**COMMON, **TASKS[name]}


def load_data(name: str) -> tuple[LabelledTexts, LabelledTexts]:
    """(train, test) texts of one dataset."""
    if name == "reuters":
        reuters = load_reuters(progress=False)
        return reuters.train, reuters.test
    if name == "imdb":
        return load_imdb("train", progress=False), load_imdb("test", progress=False)
    if name == "nsmc":
        return load_nsmc("train", progress=False).data, load_nsmc("test", progress=False).data
    raise ValueError(f"unknown dataset {name!r}")


def split_texts(data: LabelledTexts, fraction: float, generator: torch.Generator
                ) -> tuple[LabelledTexts, LabelledTexts]:
    """Random (train, validation) split of raw texts, so the vocabulary sees only the train part."""
    order = torch.randperm(len(data.texts), generator=generator).numpy()
    n_val = round(len(order) * fraction)

    def pick(index: np.ndarray) -> LabelledTexts:
        return LabelledTexts([data.texts[i] for i in index], data.labels[index])

    return pick(order[n_val:]), pick(order[:n_val])


def encode(encoder: KerasStyleEncoder, data: LabelledTexts) -> EncodedSplit:
    ids, lengths = encoder.transform(data.texts)
    return EncodedSplit.from_numpy(ids, lengths, data.labels)


def run(name: str, train_texts: LabelledTexts, test_texts: LabelledTexts, *, epochs: int | None = None,
        progress: bool = True) -> tuple[dict[str, float], list[dict[str, float]]]:
    """Train one task; return its result and its per-epoch history."""
    config = task_config(name)
    generator = torch.Generator().manual_seed(config["seed"])
    torch.manual_seed(config["seed"])  # initial weights and dropout masks use the global generator
    train_split, val_split = split_texts(train_texts, config["val_fraction"], generator)
    start = time.perf_counter()
    encoder = KerasStyleEncoder(num_words=config["num_words"], maxlen=config["maxlen"],
                                tokenizer=TOKENIZERS[config["tokenizer"]], padding=config["padding"])
    encoder.fit(train_split.texts)
    train, val, test = (encode(encoder, d) for d in (train_split, val_split, test_texts))
    prep_seconds = time.perf_counter() - start
    classes = int(train_texts.labels.max()) + 1
    model = keras_init_(MODELS[config["model"]](encoder.vocab_size, 1 if classes == 2 else classes))
    best = BestState()
    start = time.perf_counter()
    history = train_classifier(model, train, val, epochs=epochs or config["epochs"],
                               batch_size=config["batch_size"], lr=config["lr"], generator=generator,
                               packed=config["packed"], progress=progress, desc=name, on_epoch=best)
    train_seconds = time.perf_counter() - start
    best.restore(model)
    majority = float(np.mean(test.labels.numpy() == np.bincount(train.labels.numpy()).argmax()))
    result = {
        "test_accuracy": evaluate(model, test, packed=config["packed"])["accuracy"],
        "best_epoch": best.epoch, "val_accuracy": best.accuracy, "majority": majority,
        "parameters": count_parameters(model), "seconds_per_epoch": seconds_per_epoch(history),
        "train_seconds": train_seconds, "prep_seconds": prep_seconds,
        "n_train": len(train.labels), "n_val": len(val.labels), "n_test": len(test.labels),
    }
    return result, history.epoch


def record(name: str, result: dict[str, float], history: list[dict[str, float]], threads: int,
           path: Path = RECORD) -> None:
    """Add (or replace) one task's configuration, history and result in the record file."""
    saved = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    saved[name] = {"config": task_config(name), "history": history, "result": result,
                   "recorded": datetime.date.today().isoformat(), "torch": torch.__version__,
                   "threads": threads}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(saved, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", nargs="+", default=list(TASKS), choices=sorted({*TASKS, *GROUPS}),
                        help="task names, or the groups reuters, imdb, nsmc")
    parser.add_argument("--epochs", type=int, default=None, help="override every task's epochs")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads (1: OpenMP threads spin badly on a shared, busy CPU)")
    parser.add_argument("--record", action="store_true",
                        help="store each task's configuration, history and result in course_lib's record")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    if args.record and args.epochs is not None:
        parser.error("--record keeps the configured epochs; do not combine it with --epochs")
    names = list(dict.fromkeys(n for t in args.tasks for n in GROUPS.get(t, [t])))
    torch.set_num_threads(args.threads)
    rows, data = [], {}
    for name in names:
        dataset = TASKS[name]["data"]
        if dataset not in data:
            data[dataset] = load_data(dataset)
        result, history = run(name, *data[dataset], epochs=args.epochs, progress=not args.no_progress)
        rows.append((name, result))
        print(f"{name}: {result}", flush=True)
        if args.record:
            record(name, result, history, args.threads)
    print()
    print(f"{'task':<16}{'test acc':>9}{'best ep':>8}{'params':>9}{'s/epoch':>9}{'train s':>9}"
          f"{'majority':>9}{'÷majority':>10}{'anchor':>8}{'÷anchor':>9}")
    for name, r in rows:
        anchor = ANCHORS.get(name, (float("nan"), ""))[0]
        print(f"{name:<16}{r['test_accuracy']:>9.4f}{r['best_epoch']:>8d}{r['parameters']:>9,d}"
              f"{r['seconds_per_epoch']:>9.1f}{r['train_seconds']:>9.1f}{r['majority']:>9.4f}"
              f"{r['test_accuracy'] / r['majority']:>10.2f}{anchor:>8.3f}{r['test_accuracy'] / anchor:>9.3f}")
    for name, (value, what) in ANCHORS.items():
        print(f"anchor {name}: {value} = {what}")


if __name__ == "__main__":
    main()
