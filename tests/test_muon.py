"""course_lib.training.muon: the Newton–Schulz iteration, the parameter split, and Muon in train_windows."""
from __future__ import annotations

import copy
import math

import pytest
import torch
from torch.nn import functional as F

from course_lib.torch_nn.gpt import GPT
from course_lib.training import muon
from course_lib.training import transformer_lm as tlm

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def quintic(sigma: float, steps: int) -> float:
    """What `steps` Newton–Schulz steps do to one singular value, written as a scalar map."""
    a, b, c = muon.NS_COEFFICIENTS
    for _ in range(steps):
        sigma = a * sigma + b * sigma**3 + c * sigma**5
    return sigma


@pytest.mark.parametrize("shape", [(12, 30), (30, 12), (16, 16)])
def test_newton_schulz_maps_each_singular_value_and_keeps_the_vectors(shape):
    G = torch.randn(*shape, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    G[:, 0] *= 40.0  # one dominant direction, as in a real gradient
    U, S, Vh = torch.linalg.svd(G, full_matrices=False)
    X = muon.newton_schulz(G)
    assert X.shape == G.shape
    inside = U.T @ X @ Vh.T                       # X in G's singular bases: should be diagonal
    expected = torch.tensor([quintic(float(s / G.norm()), muon.NS_STEPS) for s in S], dtype=torch.float64)
    torch.testing.assert_close(inside, torch.diag(expected), atol=1e-9, rtol=1e-9)
    # the point of the iteration: the dominant direction no longer dominates (largest over
    # smallest singular value: over 50 before, under 2.5 after)
    assert float(S.max() / S.min()) > 50 and float(expected.max() / expected.min()) < 2.5


def test_newton_schulz_steps_and_scale():
    G = torch.randn(8, 5, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    torch.testing.assert_close(muon.newton_schulz(G, steps=0), G / G.norm())
    torch.testing.assert_close(muon.newton_schulz(7.0 * G), muon.newton_schulz(G))  # scale-free


def test_make_muon_splits_the_parameters():
    model = GPT(11, 8, d_model=16, num_heads=2, num_layers=2, bias=True, tie_weights=True)
    adamw, muon_opt = muon.make_muon(model, lr=1e-3, muon_lr=4e-3, weight_decay=0.1, betas=(0.9, 0.95))
    linear_weights = {id(m.weight) for m in model.blocks.modules() if isinstance(m, torch.nn.Linear)}
    assert len(linear_weights) == 2 * 6       # per block: q, k, v, attention output, two feed-forward
    (matrices,) = muon_opt.param_groups
    assert {id(p) for p in matrices["params"]} == linear_weights
    assert matrices["weight_decay"] == 0.1 and matrices["lr"] == 4e-3 and matrices["lr_scale"] == 4.0
    decayed, plain = adamw.param_groups
    assert {id(p) for p in decayed["params"]} == {id(model.tok_embed.weight),
                                                  id(model.pos_embed.weight)}
    assert decayed["weight_decay"] == 0.1 and plain["weight_decay"] == 0.0
    assert all(p.dim() == 1 for p in plain["params"]) and adamw.defaults["betas"] == (0.9, 0.95)
    every = [id(p) for opt in (adamw, muon_opt) for g in opt.param_groups for p in g["params"]]
    assert sorted(every) == sorted({id(p) for p in model.parameters()})  # each exactly once


def test_train_windows_with_muon_is_muon_and_adamw_stepped_on_one_schedule():
    """Three steps of train_windows(optimizer="muon") against the same steps written out by hand."""
    torch.manual_seed(0)
    text = torch.arange(200) % 7
    model = GPT(7, 8, d_model=16, num_heads=2, num_layers=1, bias=False)
    reference = copy.deepcopy(model)
    lr, muon_lr, floor, steps = 2e-3, 6e-3, 1e-4, 3
    tlm.train_windows(model, text, batch_size=4, block_size=8, lr=lr, min_lr=floor, warmup_steps=0,
                      optimizer="muon", muon_lr=muon_lr, max_steps=steps, clip_norm=None,
                      generator=torch.Generator().manual_seed(5))

    blocks = [m.weight for m in reference.blocks.modules() if isinstance(m, torch.nn.Linear)]
    others = [p for p in reference.parameters() if all(p is not w for w in blocks)]
    hand_muon = torch.optim.Muon(blocks, lr=muon_lr, weight_decay=0.1, adjust_lr_fn="match_rms_adamw")
    hand_adamw = torch.optim.AdamW([{"params": [p for p in others if p.dim() >= 2], "weight_decay": 0.1},
                                    {"params": [p for p in others if p.dim() < 2], "weight_decay": 0.0}],
                                   lr=lr, betas=(0.9, 0.99))
    generator = torch.Generator().manual_seed(5)
    for step in range(steps):
        rate = floor + 0.5 * (lr - floor) * (1 + math.cos(math.pi * step / steps))
        for group in hand_adamw.param_groups:
            group["lr"] = rate
        for group in hand_muon.param_groups:
            group["lr"] = rate * muon_lr / lr
        x, y = tlm.random_windows(text, 4, 8, generator)
        loss = F.cross_entropy(reference(x).reshape(-1, 7), y.reshape(-1))
        hand_adamw.zero_grad()
        hand_muon.zero_grad()
        loss.backward()
        hand_adamw.step()
        hand_muon.step()
    for (name, trained), expected in zip(model.named_parameters(), reference.parameters(), strict=True):
        torch.testing.assert_close(trained, expected, msg=name)


def test_muon_learns_a_periodic_text():
    torch.manual_seed(2)
    text = torch.tensor([0, 1, 2, 3, 1, 2] * 40)
    model = GPT(4, 12, d_model=16, num_heads=2, num_layers=2)
    log = tlm.train_windows(model, text, batch_size=8, block_size=12, lr=1e-2, warmup_steps=5, max_steps=150,
                            optimizer="muon", muon_lr=3e-2, generator=torch.Generator().manual_seed(0),
                            val_ids=text[:60], eval_every=150)
    assert log.val_loss[0] > 1.0 and log.val_loss[-1] < 0.05


def test_unknown_optimizer_and_muon_lr_without_muon():
    model = GPT(4, 8, d_model=8, num_heads=2, num_layers=1)
    with pytest.raises(ValueError, match='"adamw" or "muon".*got optimizer=\'sgd\''):
        tlm.train_windows(model, torch.arange(30) % 4, batch_size=2, block_size=8, max_steps=1,
                          optimizer="sgd")
    with pytest.raises(ValueError, match="muon_lr only with"):
        tlm.train_windows(model, torch.arange(30) % 4, batch_size=2, block_size=8, max_steps=1, muon_lr=1e-2)
