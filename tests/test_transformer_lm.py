"""course_lib.training.transformer_lm: windows, schedule, optimiser, evaluation, sampling, checkpoints."""
from __future__ import annotations

import math

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from course_lib.torch_nn.char_lm import sample_next
from course_lib.torch_nn.gpt import GPT
from course_lib.training import transformer_lm as tlm

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_random_windows_are_text_slices_one_step_apart():
    ids = torch.arange(100, 150)
    x, y = tlm.random_windows(ids, 7, 9, torch.Generator().manual_seed(0))
    assert x.shape == y.shape == (7, 9)
    torch.testing.assert_close(y, x + 1)  # consecutive ids: each window is a slice of the text
    assert int(x.min()) >= 100 and int(y.max()) <= 149
    again, _ = tlm.random_windows(ids, 7, 9, torch.Generator().manual_seed(0))
    torch.testing.assert_close(x, again)


def nanogpt_lr(it: int, lr: float, min_lr: float, warmup: int, decay_iters: int) -> float:
    """nanoGPT's get_lr (train.py), written out again as the oracle."""
    if it < warmup:
        return lr * (it + 1) / (warmup + 1)
    if it > decay_iters:
        return min_lr
    ratio = (it - warmup) / (decay_iters - warmup)
    return min_lr + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (lr - min_lr)


def test_step_schedule_matches_nanogpt():
    """train_windows with max_steps uses nanoGPT's schedule, step by step."""
    torch.manual_seed(0)
    model = GPT(5, 4, d_model=8, num_heads=2, num_layers=1)
    steps, warmup = 30, 5
    log = tlm.train_windows(model, torch.arange(40) % 5, batch_size=2, block_size=4, lr=1e-2, min_lr=1e-3,
                            warmup_steps=warmup, max_steps=steps, generator=torch.Generator().manual_seed(0))
    expected = [nanogpt_lr(it, 1e-2, 1e-3, warmup, steps) for it in range(steps)]
    assert log.learning_rates == pytest.approx(expected)
    assert len(log.step_loss) == steps and log.learning_rates[-1] > 1e-3


def test_warmup_cosine_ends():
    kw = dict(lr=1.0, min_lr=0.1, warmup_steps=10)
    assert tlm.warmup_cosine(0, 0.0, **kw) == pytest.approx(1 / 11)
    assert tlm.warmup_cosine(10, 0.0, **kw) == pytest.approx(1.0)
    assert tlm.warmup_cosine(50, 0.5, **kw) == pytest.approx(0.55)
    assert tlm.warmup_cosine(99, 1.0, **kw) == pytest.approx(0.1)
    assert tlm.warmup_cosine(99, 3.0, **kw) == pytest.approx(0.1)  # past the end: the floor


def test_adamw_decays_matrices_only():
    model = GPT(5, 4, d_model=8, num_heads=2, num_layers=1)
    optimizer = tlm.make_adamw(model, 1e-3, weight_decay=0.1, betas=(0.9, 0.99))
    decayed, plain = optimizer.param_groups
    assert decayed["weight_decay"] == 0.1 and plain["weight_decay"] == 0.0
    assert all(p.dim() >= 2 for p in decayed["params"]) and all(p.dim() == 1 for p in plain["params"])
    assert len(decayed["params"]) + len(plain["params"]) == len(list(model.parameters()))
    assert optimizer.defaults["betas"] == (0.9, 0.99)


@torch.no_grad()
def context_oracle(model: nn.Module, ids: torch.Tensor, contexts: list[torch.Tensor]) -> float:
    """Mean loss with every target predicted from its own context, one model call each."""
    total = 0.0
    for t, context in enumerate(contexts, start=1):
        logits = model(context[None])[0, -1]
        total += float(F.cross_entropy(logits[None], ids[t : t + 1]))
    return total / len(contexts)


@pytest.mark.parametrize("L", [40, 37, 6])
@pytest.mark.parametrize("stride", [8, 3, 1])
def test_evaluate_scores_each_target_once_with_the_promised_context(L, stride):
    torch.manual_seed(1)
    B, V = 8, 6
    model = GPT(V, B, d_model=8, num_heads=2, num_layers=2).double().eval()
    ids = torch.randint(0, V, (L,), generator=torch.Generator().manual_seed(L))
    contexts = []
    for t in range(1, L):
        if t <= B:  # the first window: everything from the start of the text
            contexts.append(ids[:t])
        else:  # the window of t's chunk of `stride` targets ends at that chunk's last target
            chunk_end = min(B + 1 + ((t - B - 1) // stride + 1) * stride, L)
            contexts.append(ids[chunk_end - 1 - B : t])
    if stride == B:  # non-overlapping windows: context = position in the window
        assert [len(c) for c in contexts[B:2 * B]] == list(range(1, B + 1))[: len(contexts[B:2 * B])]
    if stride == 1:  # sliding by one: every later target sees exactly B tokens
        assert all(len(c) == B for c in contexts[B:])
    got = tlm.evaluate(model, ids, B, stride=stride, batch_size=3)
    assert got == pytest.approx(context_oracle(model, ids, contexts), rel=1e-9)


def test_evaluate_rejects_bad_stride():
    model = GPT(4, 8, d_model=8, num_heads=2, num_layers=1)
    with pytest.raises(ValueError, match="stride"):
        tlm.evaluate(model, torch.zeros(20, dtype=torch.long), 8, stride=9)


def test_training_learns_a_periodic_text_and_evaluates_on_the_way():
    torch.manual_seed(2)
    text = torch.tensor([0, 1, 2, 3, 1, 2] * 40)  # after 2 comes 3 or 1: needs two tokens of context
    model = GPT(4, 12, d_model=16, num_heads=2, num_layers=2)
    log = tlm.train_windows(model, text, batch_size=8, block_size=12, lr=1e-2, warmup_steps=5, max_steps=150,
                            generator=torch.Generator().manual_seed(0), val_ids=text[:60], eval_every=50)
    assert log.val_steps == [0, 50, 100, 150]
    assert log.val_loss[0] > 1.0 and log.val_loss[-1] < 0.05  # the first token of a window stays uncertain
    assert log.seconds > 0


def test_zero_time_budget_and_missing_budget():
    model = GPT(4, 8, d_model=8, num_heads=2, num_layers=1)
    log = tlm.train_windows(model, torch.arange(30) % 4, batch_size=2, block_size=8, time_budget=0.0)
    assert log.step_loss == []
    with pytest.raises(ValueError, match="max_steps or time_budget"):
        tlm.train_windows(model, torch.arange(30) % 4, batch_size=2, block_size=8)


def test_sample_text_replays_sample_next_on_a_sliding_window():
    torch.manual_seed(3)
    itos = list("abcde")
    stoi = {ch: i for i, ch in enumerate(itos)}
    B = 4
    model = GPT(5, B, d_model=8, num_heads=2, num_layers=1).train()
    prompt = "abcdeab"  # longer than the block: only its last B characters are read
    got = tlm.sample_text(model, stoi, itos, prompt, 6, temperature=0.9,
                          generator=torch.Generator().manual_seed(1))
    assert model.training  # the mode is restored
    generator, ids = torch.Generator().manual_seed(1), [stoi[ch] for ch in prompt]
    with torch.no_grad():
        for _ in range(6):
            logits = model.eval()(torch.tensor([ids[-B:]]))[0, -1]
            ids.append(sample_next(logits, 0.9, generator))
    assert got == "".join(itos[i] for i in ids)
    greedy = tlm.sample_text(model, stoi, itos, "ab", 5, temperature=0.0)
    assert greedy == tlm.sample_text(model, stoi, itos, "ab", 5, temperature=0.0)
    with pytest.raises(ValueError, match="prompt"):
        tlm.sample_text(model, stoi, itos, "", 3)


def test_train_or_load_round_trip(tmp_path):
    itos = list("abcd")
    config = dict(vocab_size=4, block_size=6, d_model=8, num_heads=2, num_layers=1, bias=False)
    calls = []

    def train(model: GPT) -> tlm.WindowTrainLog:
        calls.append(1)
        return tlm.train_windows(model, torch.arange(40) % 4, batch_size=2, block_size=6, max_steps=3,
                                 generator=torch.Generator().manual_seed(0))

    torch.manual_seed(4)
    first, log = tlm.train_or_load(tmp_path / "gpt.pt", config, itos, train)
    again, log_again = tlm.train_or_load(tmp_path / "gpt.pt", config, itos, train)
    assert len(calls) == 1 and not again.training
    for (name, a), (_, b) in zip(first.state_dict().items(), again.state_dict().items(), strict=True):
        torch.testing.assert_close(a, b, msg=name)
    assert log_again.step_loss == log.step_loss and log_again.learning_rates == log.learning_rates
    assert again.head.weight is again.tok_embed.weight  # tying survives the round trip
    tlm.train_or_load(tmp_path / "gpt.pt", {**config, "d_model": 4}, itos, train)
    assert len(calls) == 2  # another config: trained again
