r"""Muon for a Transformer's weight matrices, AdamW for the rest.

Shapes: a weight matrix W and its gradient G are (A, B); D is the model's width.

Adam scales every coordinate of the gradient separately. Muon (MomentUm Orthogonalized by
Newton–Schulz; Jordan et al., 2024) treats a weight matrix as a matrix: it keeps a momentum
M of the gradients, replaces M by the nearest matrix whose singular values are all about 1,
and steps along that:

.. math::
    M_t = \mu M_{t-1} + G_t, \qquad O_t = \mathrm{NS}_5(G_t + \mu M_t) \approx U V^\top
    \quad (U S V^\top = G_t + \mu M_t), \qquad
    W_t = (1 - \eta\lambda) W_{t-1} - \eta \cdot 0.2 \sqrt{\max(A, B)}\; O_t

Every direction the gradient points in then moves by the same amount, the rare ones as much
as the one a few large singular values would otherwise dominate. The factor
0.2 √max(A, B) (Liu et al., 2025, "Muon is scalable for LLM training") gives the update the
root-mean-square size an AdamW update has at the same η, so the two share a schedule. Muon is
for matrices that map one hidden vector to another: the embeddings (a lookup, not a map) and
the output head stay with AdamW, as do biases and LayerNorm gains.

The optimiser itself is ``torch.optim.Muon``; :func:`newton_schulz` is the iteration it runs,
written out to show what it does to a matrix's singular values.
"""
from __future__ import annotations

import torch
from torch import Tensor, nn

# Jordan et al.'s quintic, torch.optim.Muon's default: a steep slope at 0, so that five steps
# lift singular values down to about 1/1000 of the Frobenius norm into [0.5, 1.2]
NS_COEFFICIENTS = (3.4445, -4.7750, 2.0315)
NS_STEPS = 5


def newton_schulz(G: Tensor, steps: int = NS_STEPS, eps: float = 1e-7) -> Tensor:
    """Push every singular value of G (A, B) towards 1 and keep its singular vectors.

        X ← G / ‖G‖_F                           (every singular value now ≤ 1)
        X ← a X + (b X Xᵀ + c (X Xᵀ)²) X        `steps` times

    Each step maps a singular value σ to a σ + b σ³ + c σ⁵ and leaves U and V alone, because
    (X Xᵀ)^k X = U S^(2k+1) Vᵀ. Computed on the wide orientation (A ≤ B), where X Xᵀ is the
    smaller product.
    """
    a, b, c = NS_COEFFICIENTS
    tall = G.shape[0] > G.shape[1]
    X = G.T if tall else G
    X = X / (X.norm() + eps)
    for _ in range(steps):
        gram = X @ X.T                                   # (A, A) with A ≤ B
        X = a * X + (b * gram + c * gram @ gram) @ X
    return X.T if tall else X


def hidden_matrices(model: nn.Module) -> list[Tensor]:
    """The weight matrices of the `nn.Linear` layers inside ``model.blocks`` (GPT's Transformer
    blocks): queries, keys, values, the attention output and the two feed-forward layers."""
    blocks = model.get_submodule("blocks")
    return [module.weight for module in blocks.modules()
            if isinstance(module, nn.Linear) and module.weight.requires_grad]


def make_muon(model: nn.Module, lr: float, muon_lr: float, weight_decay: float = 0.1,
              betas: tuple[float, float] = (0.9, 0.99)) -> list[torch.optim.Optimizer]:
    """Muon at peak rate `muon_lr` for `hidden_matrices`; AdamW at `lr` for every other parameter.

    AdamW decays the embeddings (and a tied head) but not biases or LayerNorm gains, as
    `transformer_lm.make_adamw` does; Muon decays its matrices by the same `weight_decay`.
    Every parameter group carries ``lr_scale``, its peak rate over `lr`, so that one schedule
    drives both optimisers: a step's rate for a group is η(s) · lr_scale.

    Returns:
        [adamw, muon]: step both after every backward pass.
    """
    hidden = hidden_matrices(model)
    in_muon = {id(p) for p in hidden}
    rest = [p for p in model.parameters() if p.requires_grad and id(p) not in in_muon]
    adamw = torch.optim.AdamW([{"params": [p for p in rest if p.dim() >= 2], "weight_decay": weight_decay},
                               {"params": [p for p in rest if p.dim() < 2], "weight_decay": 0.0}],
                              lr=lr, betas=betas)
    muon = torch.optim.Muon(hidden, lr=muon_lr, weight_decay=weight_decay, adjust_lr_fn="match_rms_adamw")
    for group in adamw.param_groups:
        group["lr_scale"] = 1.0
    for group in muon.param_groups:
        group["lr_scale"] = muon_lr / lr
    return [adamw, muon]
