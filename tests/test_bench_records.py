"""The benchmark record chapter 6 draws its learning curves from matches the benchmark.

``bench/text_classification.py --record`` stores, per task, the configuration it ran with, the
full per-epoch history and the result (``course_lib/training/records/text_classification.json``).
If someone changes the benchmark's settings without recording again, or edits the record by
hand, the chapter would show curves of a run that the benchmark no longer makes: these tests
fail instead.
"""
from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from course_lib.training.classification import RECORD_PATH, benchmark_record

ROOT = Path(__file__).resolve().parents[1]
HISTORY_KEYS = {"epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "seconds"}


def _load_bench() -> Any:
    spec = importlib.util.spec_from_file_location("bench_text_classification",
                                                  ROOT / "bench" / "text_classification.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _load_bench()
RECORDED: dict[str, Any] = json.loads(RECORD_PATH.read_text(encoding="utf-8"))


def check_entry(name: str, entry: dict[str, Any]) -> None:
    """Raise AssertionError unless ``entry`` is a complete run of task ``name`` as configured now."""
    rerun = f"rerun: .venv/bin/python bench/text_classification.py --record --tasks {name}"
    config = bench.task_config(name)
    assert entry["config"] == config, f"{name}: recorded with {entry['config']}, configured {config}; {rerun}"
    history = entry["history"]
    assert [r["epoch"] for r in history] == list(range(1, config["epochs"] + 1)), (
        f"{name}: the history has epochs {[r['epoch'] for r in history]}, configured {config['epochs']}")
    for r in history:
        assert set(r) == HISTORY_KEYS, f"{name}, epoch {r['epoch']}: keys {sorted(r)}"
        assert 0.0 <= r["train_accuracy"] <= 1.0 and 0.0 <= r["val_accuracy"] <= 1.0
        assert r["train_loss"] > 0 and r["val_loss"] > 0 and r["seconds"] > 0
    result = entry["result"]
    val = [r["val_accuracy"] for r in history]
    best = val.index(max(val))  # BestState keeps the first epoch with the best accuracy
    assert result["best_epoch"] == best + 1, f"{name}: best epoch {result['best_epoch']}, history: {best + 1}"
    assert result["val_accuracy"] == val[best]
    assert 0.0 < result["test_accuracy"] <= 1.0 and 0.0 < result["majority"] < 1.0
    assert result["seconds_per_epoch"] == pytest.approx(sum(r["seconds"] for r in history) / len(history))
    for key in ("recorded", "torch", "threads"):
        assert key in entry, f"{name}: the record does not say {key!r}"


def test_every_configured_task_is_recorded() -> None:
    assert set(RECORDED) == set(bench.TASKS), f"recorded {sorted(RECORDED)}, configured {sorted(bench.TASKS)}"


@pytest.mark.parametrize("name", sorted(bench.TASKS))
def test_record_matches_the_benchmark(name: str) -> None:
    check_entry(name, benchmark_record(name))


@pytest.mark.parametrize("doctor", [
    lambda e: e["config"].update(epochs=e["config"]["epochs"] + 1),  # the benchmark now trains longer
    lambda e: e["config"].update(num_words=20000),                   # another vocabulary size
    lambda e: e["config"].pop("lr"),                                 # a setting left out
    lambda e: e["history"].pop(),                                    # a run cut short
    lambda e: e["result"].update(best_epoch=e["result"]["best_epoch"] % len(e["history"]) + 1),
    lambda e: e.pop("torch"),
])
def test_check_entry_catches_a_record_that_does_not_match(doctor: Any) -> None:
    entry = copy.deepcopy(RECORDED["reuters"])
    doctor(entry)
    with pytest.raises(AssertionError):
        check_entry("reuters", entry)


def test_benchmark_record_names_the_recorded_tasks() -> None:
    with pytest.raises(KeyError, match="reuters"):
        benchmark_record("no such task")
