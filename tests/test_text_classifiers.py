"""course_lib.torch_nn.text_classifiers: shapes, packing, Keras initialisation, training helpers."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from course_lib.torch_nn.text_classifiers import ConvLSTMClassifier, LSTMClassifier, count_parameters, keras_init_
from course_lib.training.classification import (
    BestState,
    EncodedSplit,
    batches,
    evaluate,
    loss_and_correct,
    train_classifier,
    train_val_split,
)

N, T, V, C = 6, 20, 50, 4


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture
def gen() -> torch.Generator:
    return torch.Generator().manual_seed(0)


def _ids(gen, lengths, padding="post"):
    ids = torch.zeros(len(lengths), T, dtype=torch.int64)
    for row, length in enumerate(lengths):
        tokens = torch.randint(3, V, (length,), generator=gen)
        if padding == "post":
            ids[row, :length] = tokens
        else:
            ids[row, T - length:] = tokens
    return ids


def test_lstm_classifier_shapes_and_seed_parameter_count():
    model = LSTMClassifier(1000, 46)
    assert model(torch.zeros(3, 100, dtype=torch.int64)).shape == (3, 46)
    # Keras summary of seed 001's Reuters model: 100,000 + 80,400 + 4,646 = 185,046
    assert count_parameters(model) == 100_000 + 4 * (100 * 100 + 100 * 100 + 100) + 100 * 4 + 4_646
    # PyTorch keeps two LSTM biases (bias_ih and bias_hh), Keras one: 400 more parameters


def test_conv_lstm_shapes_and_seed_parameter_count():
    model = ConvLSTMClassifier(5000)
    assert model(torch.zeros(3, 100, dtype=torch.int64)).shape == (3, 1)
    keras_total = 500_000 + (5 * 100 * 64 + 64) + 4 * (64 * 100 + 100 * 100 + 100) + 101
    assert count_parameters(model) == keras_total + 4 * 100  # + PyTorch's second LSTM bias
    assert model.reduced_lengths(torch.tensor([100, 9, 4, 1])).tolist() == [24, 1, 1, 1]


def test_lstm_classifier_matches_manual_torch_lstm(gen):
    model = LSTMClassifier(V, C, embed_dim=8, hidden_size=5)
    ids = _ids(gen, [T] * N)
    lstm = nn.LSTM(8, 5, batch_first=True)
    lstm.load_state_dict(model.lstm.state_dict())
    out, _ = lstm(nn.functional.embedding(ids, model.embedding.weight))
    expected = out[:, -1] @ model.out.weight.T + model.out.bias
    torch.testing.assert_close(model(ids), expected)


@pytest.mark.parametrize("cls", [LSTMClassifier, ConvLSTMClassifier])
def test_packing_ignores_padding(gen, cls):
    """With lengths, extra post-padding changes nothing; each row equals its unpadded self."""
    model = cls(V, C, embed_dim=8, hidden_size=5).eval()
    lengths = torch.tensor([20, 13, 9, 8, 17, 8])  # >= kernel 5 + pool 4 - 1 for the conv model
    ids = _ids(gen, lengths.tolist())
    packed = model(ids, lengths)
    for row in range(N):
        alone = model(ids[row:row + 1, : lengths[row]], lengths[row:row + 1])
        torch.testing.assert_close(packed[row:row + 1], alone, rtol=1e-5, atol=1e-6)


def test_post_padding_without_packing_changes_the_answer(gen):
    model = LSTMClassifier(V, C, embed_dim=8, hidden_size=5).eval()
    lengths = torch.tensor([5] * N)
    ids = _ids(gen, lengths.tolist())
    assert not torch.allclose(model(ids), model(ids, lengths))


@pytest.mark.parametrize("cls", [LSTMClassifier, ConvLSTMClassifier])
def test_padding_row_is_trained_as_in_keras(gen, cls):
    """Keras' Embedding without mask_zero learns row 0 like any other: no padding_idx here."""
    model = keras_init_(cls(V, C, embed_dim=8, hidden_size=5))
    assert model.embedding.padding_idx is None and model.embedding.weight[0].abs().sum() > 0
    ids = torch.zeros(2, 12, dtype=torch.int64)  # nothing but padding
    ids[:, -1] = 3
    model(ids).sum().backward()
    assert model.embedding.weight.grad[0].abs().sum() > 0


def test_keras_init(gen):
    torch.manual_seed(0)
    model = keras_init_(ConvLSTMClassifier(V, 1, hidden_size=5))
    assert model.embedding.weight.abs().max() <= 0.05
    H = 5
    assert torch.all(model.lstm.bias_ih_l0[H:2 * H] == 1) and torch.all(model.lstm.bias_hh_l0 == 0)
    gate = model.lstm.weight_hh_l0[:H]
    torch.testing.assert_close(gate @ gate.T, torch.eye(H), rtol=1e-5, atol=1e-5)  # orthogonal
    assert torch.all(model.conv.bias == 0)


def test_loss_and_correct_binary_and_multiclass():
    logits = torch.tensor([[2.0], [-1.0], [0.5]])
    y = torch.tensor([1, 1, 0])
    loss, right = loss_and_correct(logits, y)
    expected = nn.functional.binary_cross_entropy(torch.sigmoid(logits[:, 0]), y.float())
    torch.testing.assert_close(loss, expected)
    assert int(right) == 1
    logits = torch.tensor([[0.1, 3.0], [2.0, 0.0]])
    loss, right = loss_and_correct(logits, torch.tensor([1, 1]))
    torch.testing.assert_close(loss, -torch.log_softmax(logits, 1)[[0, 1], [1, 1]].mean())
    assert int(right) == 1


def test_split_and_batches_cover_everything(gen):
    data = EncodedSplit.from_numpy(np.arange(40).reshape(20, 2), np.ones(20, np.int64), np.arange(20))
    train, val = train_val_split(data, 0.25, gen)
    assert len(val.labels) == 5 and len(train.labels) == 15
    assert sorted(torch.cat([train.labels, val.labels]).tolist()) == list(range(20))
    chunks = list(batches(train, 4, generator=gen))
    assert [len(b.labels) for b in chunks] == [4, 4, 4, 3]
    assert sorted(torch.cat([b.labels for b in chunks]).tolist()) == sorted(train.labels.tolist())


def test_training_learns_a_toy_task_and_best_state_restores(gen):
    """Label = whether token 3 occurs; the LSTM must learn it from packed, post-padded input."""
    n = 240
    lengths = torch.randint(3, T, (n,), generator=gen)
    ids = torch.zeros(n, T, dtype=torch.int64)
    for row, length in enumerate(lengths.tolist()):
        ids[row, :length] = torch.randint(4, 12, (length,), generator=gen)
    labels = torch.randint(0, 2, (n,), generator=gen)
    ids[labels == 1, 0] = 3
    data = EncodedSplit(ids, lengths, labels)
    train, val = train_val_split(data, 0.25, gen)
    torch.manual_seed(0)
    model = LSTMClassifier(12, 1, embed_dim=8, hidden_size=16)
    best = BestState()
    history = train_classifier(model, train, val, epochs=6, batch_size=20, generator=gen, packed=True,
                               lr=1e-2, progress=False, on_epoch=best)
    assert set(history.epoch[0]) >= {"train_loss", "train_accuracy", "val_loss", "val_accuracy", "seconds"}
    assert best.accuracy == max(history.series("val_accuracy")) > 0.9
    best.restore(model)
    assert evaluate(model, val, packed=True)["accuracy"] == pytest.approx(best.accuracy)
