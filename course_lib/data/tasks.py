"""Synthetic sequence tasks with a long-range dependency, as pure functions of a ``torch.Generator``.

Shapes: N examples, T time steps, V vocabulary, C classes.

- :func:`first_token_task`: the label of a sequence is its first token, so a model that
  reads left to right must carry one token across ``T - 1`` distracting steps.
- :func:`coreference_task`: template sentences "the ANIMAL did not cross the PLACE because
  it was ADJ", where the adjective decides whether "it" is the animal or the place; the
  target at "it" is the referent's word. A toy stand-in for real coreference.
"""
from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor

ANIMALS = ("animal", "dog", "cat", "horse")
PLACES = ("street", "road", "river", "bridge")
ANIMAL_ADJECTIVES = ("tired", "scared", "hungry")   # "it" is the animal
PLACE_ADJECTIVES = ("wide", "busy", "icy")          # "it" is the place
TEMPLATE = ("the", "{animal}", "did", "not", "cross", "the", "{place}", "because", "it", "was", "{adj}")
IT_POSITION = TEMPLATE.index("it")
ANIMAL_POSITION = TEMPLATE.index("{animal}")
PLACE_POSITION = TEMPLATE.index("{place}")
ADJECTIVE_POSITION = TEMPLATE.index("{adj}")
VOCAB: tuple[str, ...] = tuple(sorted(
    {w for w in TEMPLATE if not w.startswith("{")} | set(ANIMALS) | set(PLACES)
    | set(ANIMAL_ADJECTIVES) | set(PLACE_ADJECTIVES)))
STOI = {word: i for i, word in enumerate(VOCAB)}


def first_token_task(n: int, T: int, num_classes: int, generator: torch.Generator) -> tuple[Tensor, Tensor]:
    """Random token sequences labelled by their first token.

    Every token, the first included, is uniform over ``range(num_classes)``, so nothing but
    position 0 tells the label.

    Args:
        n: number of sequences. T: their length (>= 1). num_classes: C, also the vocabulary.
        generator: the only source of randomness.

    Returns:
        x: int64 (n, T); y: int64 (n,), ``y == x[:, 0]``.
    """
    if T < 1:
        raise ValueError(f"first_token_task needs T >= 1, got T={T}")
    x = torch.randint(0, num_classes, (n, T), generator=generator)
    return x, x[:, 0].clone()


class CorefBatch(NamedTuple):
    """Token ids (N, T), the referent's word id at "it" (N,), and whether it is the animal (N,) bool."""

    ids: Tensor
    target: Tensor
    is_animal: Tensor


def coreference_task(n: int, generator: torch.Generator) -> CorefBatch:
    """Sentences of :data:`TEMPLATE` with random animal, place and adjective.

    Half of the adjectives make "it" the animal, half the place (each drawn with probability
    1/2). ``ids`` index :data:`VOCAB`; ``target`` is the id of the word "it" refers to.
    """
    def pick(words: tuple[str, ...], size: int) -> Tensor:
        ids = torch.tensor([STOI[w] for w in words])
        return ids[torch.randint(0, len(words), (size,), generator=generator)]

    animal, place = pick(ANIMALS, n), pick(PLACES, n)
    is_animal = torch.rand(n, generator=generator) < 0.5  # which kind of adjective: a fair coin
    adjective = torch.where(is_animal, pick(ANIMAL_ADJECTIVES, n), pick(PLACE_ADJECTIVES, n))
    fixed = torch.tensor([STOI.get(w, 0) for w in TEMPLATE])
    ids = fixed.repeat(n, 1)
    ids[:, ANIMAL_POSITION], ids[:, PLACE_POSITION], ids[:, ADJECTIVE_POSITION] = animal, place, adjective
    return CorefBatch(ids, torch.where(is_animal, animal, place), is_animal)


def decode(ids: Tensor) -> list[str]:
    """One sentence's ids (T,) back to words of :data:`VOCAB`."""
    return [VOCAB[int(i)] for i in ids]
