"""course_lib's seq2seq references, models and training, against independent oracles."""
from __future__ import annotations

import itertools
import math
import zlib

import pytest
import torch
import torch.nn.functional as F

from course_lib.data.translation import BOS_ID, EOS_ID, PAD_ID, numbers_to_korean
from course_lib.torch_nn import seq2seq as s2s
from course_lib.torch_nn.seq2seq_rnn import Seq2SeqGRU
from course_lib.torch_nn.seq2seq_transformer import DecoderBlock, Seq2SeqTransformer
from course_lib.training import seq2seq as training


def _attention_oracle(query, keys, mask, W_q, W_k, v):
    B, S, _ = keys.shape
    weights = torch.zeros(B, S, dtype=torch.float64)
    for b in range(B):
        real = [s for s in range(S) if mask is None or bool(mask[b, s])]
        e = {s: math.exp(float(torch.tanh(query[b] @ W_q + keys[b, s] @ W_k) @ v)) for s in real}
        for s in real:
            weights[b, s] = e[s] / sum(e.values())
    return torch.einsum("bs,bsh->bh", weights, keys), weights


@pytest.mark.parametrize("masked", [False, True])
def test_additive_attention_against_a_loop(masked):
    g = torch.Generator().manual_seed(0)
    B, S, H, A = 3, 5, 4, 6
    args = [torch.randn(*shape, generator=g, dtype=torch.float64) for shape in ((B, H), (B, S, H))]
    mask = torch.arange(S) < torch.tensor([[5], [2], [1]]) if masked else None
    weights_in = [torch.randn(*shape, generator=g, dtype=torch.float64) for shape in ((H, A), (H, A), (A,))]
    context, weights = s2s.additive_attention(args[0], args[1], mask, *weights_in)
    expected_context, expected_weights = _attention_oracle(args[0], args[1], mask, *weights_in)
    torch.testing.assert_close(weights, expected_weights)
    torch.testing.assert_close(context, expected_context)
    if masked:
        assert (weights[~mask] == 0).all()


def test_shift_right_and_sequence_loss():
    targets = torch.tensor([[5, 6, 2], [7, 2, 0]])
    assert s2s.shift_right(targets, BOS_ID).tolist() == [[1, 5, 6], [1, 7, 2]]
    assert targets.tolist() == [[5, 6, 2], [7, 2, 0]]
    g = torch.Generator().manual_seed(1)
    logits = torch.randn(2, 3, 9, generator=g, dtype=torch.float64, requires_grad=True)
    loss = s2s.sequence_loss(logits, targets, PAD_ID)
    expected = F.cross_entropy(logits.reshape(-1, 9), targets.reshape(-1), ignore_index=PAD_ID)
    torch.testing.assert_close(loss, expected)
    (grad,) = torch.autograd.grad(loss, logits)
    (expected_grad,) = torch.autograd.grad(expected, logits)
    torch.testing.assert_close(grad, expected_grad)


def _table_step(V, seed, eos_bias):
    def log_probs(fed):
        g = torch.Generator().manual_seed(zlib.crc32(repr((seed, fed)).encode()))
        logits = torch.randn(V, generator=g, dtype=torch.float64) * 2
        logits[EOS_ID] += eos_bias * len(fed) - 2
        return torch.log_softmax(logits, 0)

    def step(token, fed):
        fed = (*fed, token)
        return log_probs(fed), fed

    return step, log_probs


def _exhaustive(log_probs, V, max_len):
    best, best_score = None, -math.inf
    for n in range(1, max_len + 1):
        for body in itertools.product([t for t in range(V) if t != EOS_ID], repeat=n - 1):
            seq = (*body, EOS_ID)
            score = sum(float(log_probs((BOS_ID, *seq[:i]))[seq[i]]) for i in range(n))
            if score > best_score:
                best, best_score = list(seq), score
    return best


@pytest.mark.parametrize("seed", range(5))
def test_beam_search_extremes(seed):
    step, log_probs = _table_step(4, seed, 0.6)
    greedy = s2s.greedy_decode(step, (), BOS_ID, EOS_ID, 6)
    assert s2s.beam_search(step, (), BOS_ID, EOS_ID, 1, 6) == greedy
    assert s2s.beam_search(step, (), BOS_ID, EOS_ID, 4**4, 4) == _exhaustive(log_probs, 4, 4)
    assert len(greedy) <= 6 and (greedy[-1] == EOS_ID or len(greedy) == 6)


@pytest.fixture(scope="module")
def task():
    return numbers_to_korean(sizes=(600, 60, 60), max_digits=8, seed=0)


def _models(task):
    V = (len(task.source_vocab), len(task.target_vocab))
    torch.manual_seed(0)
    return {"plain": Seq2SeqGRU(*V, hidden_size=16, attention=False),
            "attention": Seq2SeqGRU(*V, hidden_size=16, attention_size=8),
            "transformer": Seq2SeqTransformer(*V, d_model=16, num_heads=2, d_ff=32)}


@pytest.mark.parametrize("kind", ["plain", "attention", "transformer"])
def test_step_function_and_batched_greedy_agree_with_teacher_forcing(task, kind):
    model = _models(task)[kind].eval()
    batch = training.encode_split(task, "test")
    src, lengths, tgt = (t[:6] for t in batch)
    with torch.no_grad():
        logits, _ = model(src, lengths, s2s.shift_right(tgt, BOS_ID))
    for n in range(6):
        step, state = model.step_function(src[n, : lengths[n]])
        for t, token in enumerate([BOS_ID, *tgt[n].tolist()][: int((tgt[n] != PAD_ID).sum())]):
            log_probs, state = step(token, state)
            torch.testing.assert_close(log_probs, torch.log_softmax(logits[n, t], -1), atol=1e-5, rtol=1e-5)
    ids, _ = model.greedy(src, lengths, BOS_ID, EOS_ID, 12)
    for n in range(6):
        step, state = model.step_function(src[n, : lengths[n]])
        one = s2s.greedy_decode(step, state, BOS_ID, EOS_ID, 12)
        assert ids[n, : len(one)].tolist() == one


@pytest.mark.parametrize("kind", ["plain", "attention", "transformer"])
def test_padding_never_changes_a_sentence(task, kind):
    model = _models(task)[kind].eval()
    src, lengths = task.encode_sources(["1,004", "12,345,678"])
    tgt_in = s2s.shift_right(task.encode_targets(["천사", "천사"]), BOS_ID)
    with torch.no_grad():
        batched, _ = model(src, lengths, tgt_in)
        alone, _ = model(src[:1, : lengths[0]], lengths[:1], tgt_in[:1])
    torch.testing.assert_close(batched[0], alone[0], atol=1e-6, rtol=1e-5)


def test_transformer_decoder_is_causal_and_its_block_matches_torch(task):
    model = _models(task)["transformer"].eval()
    src, lengths = task.encode_sources(["12,000"])
    tgt_in = torch.tensor([[BOS_ID, 5, 6, 7, 8]])
    changed = tgt_in.clone()
    changed[0, 3:] = torch.tensor([9, 10])
    with torch.no_grad():
        a, _ = model(src, lengths, tgt_in)
        b, _ = model(src, lengths, changed)
    torch.testing.assert_close(a[0, :3], b[0, :3])
    torch.manual_seed(1)
    layer = torch.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, batch_first=True).double().eval()
    block = DecoderBlock(8, 2, 16).double().load_from_torch(layer).eval()
    y, memory = torch.randn(2, 4, 8, dtype=torch.float64), torch.randn(2, 5, 8, dtype=torch.float64)
    real = torch.arange(5) < torch.tensor([[5], [3]])
    causal = torch.ones(4, 4, dtype=torch.bool).tril()
    with torch.no_grad():
        expected = layer(y, memory, tgt_mask=~causal, memory_key_padding_mask=~real)
        got, weights = block(y, memory, real)
    torch.testing.assert_close(got, expected)
    assert (weights[1, :, :, 3:] == 0).all()


def test_training_lowers_the_loss_and_checkpoints_are_reused(task, tmp_path):
    config = training.TrainConfig(steps=40, batch_size=32, lr=3e-3, warmup=5, eval_every=20, eval_size=20)
    V = (len(task.source_vocab), len(task.target_vocab))

    def build():
        torch.manual_seed(0)
        return Seq2SeqGRU(*V, hidden_size=16, attention_size=8)

    calls = []

    def train_fn(model):
        calls.append(1)
        return training.train(model, task, config, progress=False)

    key = {"model": "attention", "steps": config.steps}
    model, history = training.train_or_load(tmp_path / "m.pt", build, train_fn, key)
    assert history.step_loss[-1] < history.step_loss[0]
    assert [r["step"] for r in history.epoch] == [20, 40]
    again, history2 = training.train_or_load(tmp_path / "m.pt", build, train_fn, key)
    assert len(calls) == 1 and history2.step_loss == history.step_loss
    for p, q in zip(model.parameters(), again.parameters(), strict=True):
        assert torch.equal(p, q)
    training.train_or_load(tmp_path / "m.pt", build, train_fn, {**key, "steps": 41})
    assert len(calls) == 2
    predictions = training.translate(model, task, task.test.sources[:10])
    assert len(predictions) == 10 and all(isinstance(p, str) for p in predictions)


def test_learning_rate_warms_up_then_decays():
    config = training.TrainConfig(steps=100, lr=1.0, warmup=10)
    rates = [training.learning_rate(s, config) for s in range(1, 101)]
    assert rates[9] == 1.0 and rates[0] == pytest.approx(0.1) and rates[-1] == pytest.approx(0.1)
    assert rates[:10] == sorted(rates[:10]) and rates[9:] == sorted(rates[9:], reverse=True)
