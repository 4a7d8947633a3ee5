"""bench/char_lm.py: a smoke run with tiny budgets; chapter 10 shows a recorded run of today's settings."""
from __future__ import annotations

import importlib.util
import json
import sys

import pytest
from conftest import ROOT, data_mirror

from course_lib.data import download

RESULTS = ROOT / "bench" / "results" / "char_lm.json"


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_char_lm", ROOT / "bench" / "char_lm.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.skipif(data_mirror() is None, reason="no data mirror")
def test_smoke_run_with_tiny_budgets(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(download.MIRROR_ENV, str(data_mirror()))
    bench = load_bench()
    page = tmp_path / "page.md"
    page.write_text(f"before\n{bench.BLOCK_BEGIN}\nold\n{bench.BLOCK_END}\nafter\n", encoding="utf-8")
    monkeypatch.setattr(bench, "BOOK_PAGE", page)
    monkeypatch.setattr(bench.update_book, "__defaults__", (page,))
    record = bench.main(["--budgets", "0.005,0.01", "--recipe-steps", "2", "--val-chars", "1000",
                         "--threads", "1", "--json", str(tmp_path / "run.json"), "--update-book"])
    printed = capsys.readouterr().out
    assert "nanoGPT recipe" in printed and "goal <= 1.47" in printed
    assert json.loads((tmp_path / "run.json").read_text()) == record
    models = [(row["model"], row["budget_minutes"]) for row in record["rows"]]
    assert models == [("nanoGPT recipe", None), ("CharLSTM", 0.005), ("Transformer LM", 0.005),
                      ("Transformer LM, Muon", 0.005), ("CharLSTM", 0.01), ("Transformer LM", 0.01),
                      ("Transformer LM, Muon", 0.01)]
    assert record["rows"][0]["steps"] == 2 and record["val_characters"] == 1000
    for row in record["rows"]:
        assert row["steps"] >= 1 and 0 < row["val_nats"] < 10
    assert page.read_text(encoding="utf-8") == (
        f"before\n{bench.BLOCK_BEGIN}\n{bench.book_block(record)}\n{bench.BLOCK_END}\nafter\n")


def test_chapter_shows_the_recorded_run_of_the_current_configuration():
    bench = load_bench()
    record = json.loads(RESULTS.read_text(encoding="utf-8"))
    # the recorded run is a full run of today's settings
    assert record["budgets"] == [1.0, 3.0, 10.0]
    assert record["recipe"] == json.loads(json.dumps(dict(model=bench.RECIPE_MODEL, train=bench.RECIPE_TRAIN,
                                                          steps=bench.RECIPE_STEPS)))
    assert record["gpt"] == json.loads(json.dumps(dict(model=bench.GPT_MODEL, train=bench.GPT_TRAIN)))
    assert record["gpt_muon"] == json.loads(json.dumps(dict(model=bench.GPT_MODEL, train=bench.GPT_MUON_TRAIN)))
    assert record["lstm"] == json.loads(json.dumps(dict(model=bench.LSTM_MODEL, train=bench.LSTM_TRAIN)))
    assert record["val_characters"] == 111_539  # the whole validation text
    page = (ROOT / "book" / "10_transformer_lm.md").read_text(encoding="utf-8")
    shown = page.split(bench.BLOCK_BEGIN + "\n")[1].split(bench.BLOCK_END)[0]
    assert shown == bench.book_block(record) + "\n", "run bench/char_lm.py --update-book, course build-colab"


def test_nanogpt_recipe_is_the_readme_command():
    """The recipe's settings, against nanoGPT's README command and train_shakespeare_char.py."""
    bench = load_bench()
    assert bench.RECIPE_MODEL == dict(block_size=64, d_model=128, num_heads=4, num_layers=4, dropout=0.0,
                                      bias=False, tie_weights=True)
    assert bench.RECIPE_TRAIN == dict(batch_size=12, block_size=64, lr=1e-3, min_lr=1e-4, warmup_steps=100,
                                      weight_decay=0.1, betas=(0.9, 0.99), clip_norm=1.0)
    assert bench.RECIPE_STEPS == 2000


def test_muon_run_differs_from_the_adamw_run_only_in_the_optimiser():
    """The two Transformer rows of a budget compare optimisers: same model, data, schedule and seed."""
    bench = load_bench()
    differs = {k: v for k, v in bench.GPT_MUON_TRAIN.items() if bench.GPT_TRAIN.get(k) != v}
    assert differs == dict(optimizer="muon", muon_lr=bench.MUON_LR_SCALE * bench.GPT_TRAIN["lr"])
    assert set(bench.GPT_MUON_TRAIN) - set(bench.GPT_TRAIN) == {"optimizer", "muon_lr"}
