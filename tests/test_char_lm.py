"""course_lib.torch_nn.char_lm and course_lib.training.char_lm against independent oracles."""
from __future__ import annotations

import copy
import math

import pytest
import torch
from torch.nn import functional as F

from course_lib.training import char_lm as tr
from course_lib.torch_nn.char_lm import CharLSTM, generate, sample_next

V, D, H, N, T = 7, 3, 5, 2, 6


def test_vocab_sorted_and_round_trip():
    text = "hello, 무정!"
    stoi, itos = tr.build_char_vocab(text)
    assert itos == sorted(set(text))
    assert all(stoi[ch] == i for i, ch in enumerate(itos))
    ids = tr.encode(text, stoi)
    assert ids.dtype == torch.long and ids.shape == (len(text),)
    assert tr.decode(ids, itos) == text


@pytest.mark.parametrize("L", [13, 12, 7])
def test_make_sequences_windows(L):
    ids = torch.arange(100, 100 + L)
    X, Y = tr.make_sequences(ids, 3)
    M = (L - 1) // 3
    assert X.shape == Y.shape == (M, 3)
    for m in range(M):
        assert X[m].tolist() == list(range(100 + 3 * m, 100 + 3 * m + 3))
    torch.testing.assert_close(Y, X + 1)


def test_batchify_and_chunks_read_the_text_in_order():
    ids = torch.arange(23)
    streams = tr.batchify(ids, 3)
    assert streams.shape == (3, 7)
    assert streams[1].tolist() == list(range(7, 14))
    pieces = list(tr.chunks(streams, 4))
    assert [x.shape[1] for x, _ in pieces] == [4, 2]  # 6 (x, y) pairs per stream of 7
    x_all = torch.cat([x for x, _ in pieces], dim=1)
    y_all = torch.cat([y for _, y in pieces], dim=1)
    torch.testing.assert_close(x_all, streams[:, :-1])
    torch.testing.assert_close(y_all, streams[:, 1:])
    with pytest.raises(ValueError, match="too short"):
        tr.batchify(torch.arange(5), 3)


def test_charlstm_matches_torch_modules_and_carries_state():
    torch.manual_seed(0)
    model = CharLSTM(V, D, H, num_layers=2)
    assert model.head.in_features == H and model.lstm.batch_first
    x = torch.randint(0, V, (N, T))
    logits, (h, c) = model(x)
    assert logits.shape == (N, T, V) and h.shape == c.shape == (2, N, H)
    # oracle: fresh torch.nn modules with the weights copied
    embed, head = torch.nn.Embedding(V, D), torch.nn.Linear(H, V)
    lstm = torch.nn.LSTM(D, H, 2, batch_first=True)
    embed.load_state_dict(model.embed.state_dict())
    lstm.load_state_dict(model.lstm.state_dict())
    head.load_state_dict(model.head.state_dict())
    out, _ = lstm(embed(x))
    torch.testing.assert_close(logits, head(out))
    first, state = model(x[:, :2])
    rest, _ = model(x[:, 2:], state)
    torch.testing.assert_close(torch.cat([first, rest], dim=1), logits)


def test_sample_next_replays_multinomial_and_handles_temperature():
    logits = torch.tensor([0.1, 2.0, -1.0, 0.5])
    for tau in (0.5, 1.0, 3.0):
        g1, g2 = torch.Generator().manual_seed(5), torch.Generator().manual_seed(5)
        got = [sample_next(logits, tau, g1) for _ in range(50)]
        expected = [int(torch.multinomial(F.softmax(logits / tau, -1), 1, generator=g2)) for _ in range(50)]
        assert got == expected
    assert sample_next(logits, 0.0) == 1
    with pytest.raises(ValueError, match="temperature"):
        sample_next(logits, -0.1)


class _Recorder(torch.nn.Module):
    """Oracle model: a real LSTM that records the shape of each input and whether a state came in."""

    def __init__(self):
        super().__init__()
        self.inner = CharLSTM(V, D, H)
        self.calls: list[tuple[tuple[int, ...], bool]] = []

    def forward(self, x, state=None):
        self.calls.append((tuple(x.shape), state is not None))
        return self.inner(x, state)


def test_generate_feeds_prompt_once_then_one_char_and_matches_full_rerun():
    torch.manual_seed(1)
    itos = list("abcdefg")
    stoi = {ch: i for i, ch in enumerate(itos)}
    model = _Recorder()
    out = generate(model, stoi, itos, "abca", 5, temperature=0.0)
    assert out.startswith("abca") and len(out) == 9
    assert model.calls[0] == ((1, 4), False)
    assert all(call == ((1, 1), True) for call in model.calls[1:]) and len(model.calls) == 5
    # oracle: re-read the whole text each time, no carried state, greedy choice
    text = "abca"
    for _ in range(5):
        logits, _ = model.inner(tr.encode(text, stoi)[None])
        text += itos[int(logits[0, -1].argmax())]
    assert out == text
    g1, g2 = torch.Generator().manual_seed(2), torch.Generator().manual_seed(2)
    assert generate(model, stoi, itos, "b", 20, 1.0, g1) == generate(model, stoi, itos, "b", 20, 1.0, g2)
    assert generate(model, stoi, itos, "b", 0) == "b"


def test_evaluate_equals_cross_entropy_of_whole_streams():
    torch.manual_seed(2)
    model = CharLSTM(V, D, H)
    ids = torch.randint(0, V, (41,))
    got = tr.evaluate(model, ids, num_streams=2, seq_len=4)
    streams = tr.batchify(ids, 2)
    logits, _ = model(streams[:, :-1])  # one pass over each stream, no truncation
    expected = F.cross_entropy(logits.reshape(-1, V), streams[:, 1:].reshape(-1))
    assert got == pytest.approx(float(expected.detach()), rel=1e-5)
    assert tr.bits_per_char(math.log(2)) == pytest.approx(1.0)
    assert tr.perplexity(math.log(V)) == pytest.approx(V)


def test_train_tbptt_overfits_a_tiny_text_and_checkpoint_round_trip(tmp_path):
    torch.manual_seed(3)
    text = "hihello " * 40
    stoi, itos = tr.build_char_vocab(text)
    ids = tr.encode(text, stoi)
    config = dict(vocab_size=len(itos), embed_dim=8, hidden_size=32)
    model = CharLSTM(**config)
    log = tr.train_tbptt(model, ids, num_streams=4, seq_len=16, lr=1e-2, max_steps=60, val_ids=ids,
                         eval_every=30, sample_at=(0, 60),
                         sample=lambda m: generate(m, stoi, itos, "h", 7, 0.0))
    assert len(log.step_loss) == 60 and log.val_steps == [0, 30, 60]
    assert log.val_loss[-1] < 0.3 < 1.0 < log.val_loss[0]  # only "h" at a stream start is ambiguous
    assert log.samples[60] == "hihello "
    path = tr.save_checkpoint(tmp_path / "m.pt", model, config, itos, log)
    loaded, stoi2, itos2, log2 = tr.load_checkpoint(path)
    assert itos2 == itos and stoi2 == stoi and log2.val_loss == log.val_loss and log2.samples == log.samples
    torch.testing.assert_close(loaded(ids[None, :10])[0], model.eval()(ids[None, :10])[0])


def test_train_tbptt_detaches_state_between_chunks(monkeypatch):
    seen = []
    original = tr.detach_state

    def spy(state):
        out = original(state)
        seen.append(all(not s.requires_grad for s in out))
        return out

    monkeypatch.setattr(tr, "detach_state", spy)
    model = CharLSTM(V, D, H)
    tr.train_tbptt(model, torch.randint(0, V, (200,)), num_streams=2, seq_len=5, max_steps=3)
    assert seen == [True, True]  # train_step detaches the state it is given: none at the first step
    with pytest.raises(ValueError, match="max_steps"):
        tr.train_tbptt(model, torch.randint(0, V, (200,)))


def test_train_or_load_reuses_a_matching_checkpoint(tmp_path):
    itos = list("abc")
    config = dict(vocab_size=3, embed_dim=2, hidden_size=4)
    calls = []

    def train(model):
        calls.append(1)
        return tr.TrainLog(step_loss=[1.0], seconds=0.5)

    path = tmp_path / "ck.pt"
    first, log = tr.train_or_load(path, config, itos, train)
    again, log2 = tr.train_or_load(path, config, itos, train)
    assert len(calls) == 1 and log2.step_loss == [1.0] and not again.training
    torch.testing.assert_close(again.head.weight, first.head.weight)
    tr.train_or_load(path, {**config, "hidden_size": 5}, itos, train)  # a different config retrains
    tr.train_or_load(path, {**config, "hidden_size": 5}, itos, train, retrain=True)
    assert len(calls) == 3


def _hand_step(model, optimizer, x, y, state, clip_norm):
    """The oracle: one truncated-BPTT step written out."""
    state = None if state is None else tuple(s.detach() for s in state)
    logits, state = model(x, state)
    loss = F.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    if clip_norm is not None:
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
    optimizer.step()
    return loss.item(), state


@pytest.mark.parametrize("clip_norm", [0.05, 1e3, None])  # clipping active, inactive, off
def test_train_step_equals_a_hand_written_step_carrying_the_state(clip_norm):
    torch.manual_seed(4)
    model = CharLSTM(V, D, H, num_layers=2)
    oracle = copy.deepcopy(model)
    opt, opt_oracle = (torch.optim.SGD(m.parameters(), lr=0.5) for m in (model, oracle))
    # the first state still hangs on a graph through the parameters, and the gradients are stale:
    # train_step must detach the one and zero the other
    _, state = model(torch.randint(0, V, (N, 3)))
    state_oracle = tuple(s.detach().clone() for s in state)
    for p in model.parameters():
        p.grad = torch.ones_like(p)
    for _ in range(3):
        x, y = torch.randint(0, V, (N, T)), torch.randint(0, V, (N, T))
        loss, state = tr.train_step(model, opt, x, y, state, clip_norm)
        expected, state_oracle = _hand_step(oracle, opt_oracle, x, y, state_oracle, clip_norm)
        assert isinstance(loss, float) and loss == pytest.approx(expected, rel=1e-6)
        assert len(state) == 2 and state[0].shape == (2, N, H)
        for got, want in zip(state, state_oracle, strict=True):
            torch.testing.assert_close(got, want)
        for (name, got), want in zip(model.named_parameters(), oracle.parameters(), strict=True):
            torch.testing.assert_close(got, want, msg=name)


def test_train_step_starts_from_zeros_and_moves_sgd_by_lr_times_clip_norm():
    torch.manual_seed(5)
    model = CharLSTM(V, D, H)
    before = copy.deepcopy(model)
    lr, clip_norm = 0.3, 1e-3  # far below the gradient's norm: clipping is active
    x, y = torch.randint(0, V, (N, T)), torch.randint(0, V, (N, T))
    loss, (h, c) = tr.train_step(model, torch.optim.SGD(model.parameters(), lr=lr), x, y, clip_norm=clip_norm)
    with torch.no_grad():
        logits, _ = before(x)
        assert loss == pytest.approx(float(F.cross_entropy(logits.reshape(-1, V), y.reshape(-1))), rel=1e-6)
        pairs = zip(model.parameters(), before.parameters(), strict=True)
        moved = sum(((p - q) ** 2).sum() for p, q in pairs) ** 0.5
    assert float(moved) == pytest.approx(lr * clip_norm, rel=1e-3)
    assert h.shape == c.shape == (1, N, H)
