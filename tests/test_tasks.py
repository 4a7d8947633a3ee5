"""course_lib.data.tasks: shapes, labels, determinism under a seeded generator."""
from __future__ import annotations

import pytest
import torch

from course_lib.data import tasks


def test_first_token_task():
    x, y = tasks.first_token_task(50, 9, 4, torch.Generator().manual_seed(0))
    assert x.shape == (50, 9) and y.shape == (50,) and x.dtype == y.dtype == torch.int64
    assert torch.equal(y, x[:, 0])
    assert int(x.min()) >= 0 and int(x.max()) < 4


def test_first_token_task_is_a_function_of_the_generator():
    a = tasks.first_token_task(5, 3, 4, torch.Generator().manual_seed(7))
    b = tasks.first_token_task(5, 3, 4, torch.Generator().manual_seed(7))
    assert all(torch.equal(u, v) for u, v in zip(a, b, strict=True))


def test_first_token_task_rejects_empty_sequences():
    with pytest.raises(ValueError, match="T >= 1"):
        tasks.first_token_task(2, 0, 4, torch.Generator())


def test_coreference_task():
    batch = tasks.coreference_task(200, torch.Generator().manual_seed(0))
    assert batch.ids.shape == (200, len(tasks.TEMPLATE))
    words = [tasks.decode(row) for row in batch.ids]
    rows = zip(words, batch.target.tolist(), batch.is_animal.tolist(), strict=True)
    for sentence, target, is_animal in rows:
        assert sentence[tasks.IT_POSITION] == "it"
        referent = sentence[tasks.ANIMAL_POSITION] if is_animal else sentence[tasks.PLACE_POSITION]
        assert tasks.VOCAB[target] == referent
        adjectives = tasks.ANIMAL_ADJECTIVES if is_animal else tasks.PLACE_ADJECTIVES
        assert sentence[tasks.ADJECTIVE_POSITION] in adjectives
        assert sentence[tasks.ANIMAL_POSITION] in tasks.ANIMALS
        assert sentence[tasks.PLACE_POSITION] in tasks.PLACES
    assert 0.3 < batch.is_animal.float().mean() < 0.7
