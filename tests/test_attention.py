"""course_lib.torch_nn.attention against PyTorch (F.scaled_dot_product_attention, nn.MultiheadAttention)."""
from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_lib.grading import assert_close
from course_lib.torch_nn import attention as att

N, H, T_Q, T_K, D_K, D_V = 2, 3, 4, 6, 5, 7


@pytest.fixture
def qkv():
    g = torch.Generator().manual_seed(0)
    return (torch.randn(N, H, T_Q, D_K, generator=g, dtype=torch.float64),
            torch.randn(N, H, T_K, D_K, generator=g, dtype=torch.float64),
            torch.randn(N, H, T_K, D_V, generator=g, dtype=torch.float64))


def torch_weights(q, k, mask=None):
    """PyTorch's attention weights: attend over the identity matrix as values."""
    eye = torch.eye(k.shape[-2], dtype=k.dtype).expand(*k.shape[:-1], k.shape[-2])
    return F.scaled_dot_product_attention(q, k, eye, attn_mask=mask)


def test_scores_shape_and_scale(qkv):
    q, k, _ = qkv
    scores = att.attention_scores(q, k)
    assert scores.shape == (N, H, T_Q, T_K)
    assert_close(scores, torch.einsum("nhqd,nhkd->nhqk", q, k) / math.sqrt(D_K), name="scores")


@pytest.mark.parametrize("mask_shape", [None, (T_Q, T_K), (N, 1, T_Q, T_K), (N, H, 1, T_K)])
def test_sdpa_matches_torch(qkv, mask_shape):
    q, k, v = qkv
    mask = None
    if mask_shape is not None:
        mask = torch.rand(mask_shape, generator=torch.Generator().manual_seed(1)) < 0.5
        mask[..., 0] = True  # no fully masked rows here: tested separately below
    out, weights = att.scaled_dot_product_attention(q, k, v, mask)
    assert out.shape == (N, H, T_Q, D_V) and weights.shape == (N, H, T_Q, T_K)
    assert_close(out, F.scaled_dot_product_attention(q, k, v, attn_mask=mask), name="out")
    assert_close(weights, torch_weights(q, k, mask), name="weights")


def test_sdpa_without_batch_dims(qkv):
    q, k, v = (t[0, 0] for t in qkv)
    out, weights = att.scaled_dot_product_attention(q, k, v)
    assert out.shape == (T_Q, D_V) and weights.shape == (T_Q, T_K)
    assert_close(out, F.scaled_dot_product_attention(q, k, v), name="out")


def test_fully_masked_row_is_zero_not_nan(qkv):
    q, k, v = (t.clone().requires_grad_() for t in qkv)
    mask = torch.ones(T_Q, T_K, dtype=torch.bool)
    mask[1] = False
    out, weights = att.scaled_dot_product_attention(q, k, v, mask)
    assert not out.isnan().any() and not weights.isnan().any()
    assert_close(weights[..., 1, :], torch.zeros(N, H, T_K), name="weights of the masked row")
    assert_close(out[..., 1, :], torch.zeros(N, H, D_V), name="output of the masked row")
    assert_close(weights.sum(-1)[..., 0], torch.ones(N, H), name="row sums")
    out.sum().backward()
    for t in (q, k, v):
        assert not t.grad.isnan().any(), "gradients through a fully masked row must not be NaN"


def test_masked_softmax_rejects_non_bool_mask():
    with pytest.raises(TypeError, match="bool"):
        att.masked_softmax(torch.zeros(2, 2), torch.ones(2, 2))


def test_causal_mask():
    m = att.causal_mask(4)
    assert m.dtype == torch.bool and m.shape == (4, 4)
    i, j = torch.meshgrid(torch.arange(4), torch.arange(4), indexing="ij")
    assert torch.equal(m, j <= i)


def test_causal_attention_ignores_the_future(qkv):
    q, k, v = (t[..., :T_Q, :] for t in qkv)
    out1, _ = att.scaled_dot_product_attention(q, k, v, att.causal_mask(T_Q))
    k2, v2 = k.clone(), v.clone()
    k2[..., 2:, :] += 1.0
    v2[..., 2:, :] -= 1.0
    out2, _ = att.scaled_dot_product_attention(q, k2, v2, att.causal_mask(T_Q))
    assert_close(out1[..., :2, :], out2[..., :2, :], name="outputs before the change")
    assert not torch.allclose(out1[..., 2:, :], out2[..., 2:, :])


def test_padding_mask():
    m = att.padding_mask(torch.tensor([0, 2, 4]), 4)
    assert m.dtype == torch.bool and m.shape == (3, 4)
    assert m.tolist() == [[False] * 4, [True, True, False, False], [True] * 4]


def test_positional_encoding_table():
    T, d = 20, 8
    pe = att.positional_encoding(T, d)
    assert pe.dtype == torch.float32 and pe.shape == (T, d)
    expected = [[math.sin(p / 10000 ** (c / d)) if c % 2 == 0 else math.cos(p / 10000 ** ((c - 1) / d))
                 for c in range(d)] for p in range(T)]
    assert_close(pe, expected, name="PE", rtol=0, atol=1e-6)


@pytest.mark.parametrize("d", [3, 0, -2])
def test_positional_encoding_rejects_bad_width(d):
    with pytest.raises(ValueError, match="even"):
        att.positional_encoding(4, d)


def copied_mha(d_model: int, num_heads: int) -> tuple[att.MultiHeadAttention, nn.MultiheadAttention]:
    torch.manual_seed(0)
    reference = nn.MultiheadAttention(d_model, num_heads, batch_first=True).double()
    with torch.no_grad():
        for p in reference.parameters():
            p.uniform_(-0.5, 0.5)
    return att.MultiHeadAttention(d_model, num_heads).double().load_from_torch(reference), reference


@pytest.mark.parametrize("d_model, num_heads", [(12, 3), (8, 1), (8, 8)])
def test_mha_matches_torch(d_model, num_heads):
    mine, reference = copied_mha(d_model, num_heads)
    g = torch.Generator().manual_seed(2)
    query = torch.randn(N, T_Q, d_model, generator=g, dtype=torch.float64)
    key = torch.randn(N, T_K, d_model, generator=g, dtype=torch.float64)
    value = torch.randn(N, T_K, d_model, generator=g, dtype=torch.float64)
    allowed = att.padding_mask(torch.tensor([3, T_K]), T_K)
    out, weights = mine(query, key, value, allowed[:, None, None, :])
    exp_out, exp_w = reference(query, key, value, key_padding_mask=~allowed, average_attn_weights=False)
    assert out.shape == (N, T_Q, d_model) and weights.shape == (N, num_heads, T_Q, T_K)
    assert_close(out, exp_out, name="out")
    assert_close(weights, exp_w, name="weights")


def test_mha_causal_self_attention_matches_torch():
    mine, reference = copied_mha(12, 4)
    x = torch.randn(N, T_K, 12, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    out, _ = mine(x, x, x, att.causal_mask(T_K))
    expected, _ = reference(x, x, x, attn_mask=~att.causal_mask(T_K))
    assert_close(out, expected, name="causal self-attention")


def test_mha_is_permutation_equivariant():
    mine, _ = copied_mha(12, 3)
    x = torch.randn(N, T_K, 12, generator=torch.Generator().manual_seed(4), dtype=torch.float64)
    perm = torch.randperm(T_K, generator=torch.Generator().manual_seed(5))
    out, _ = mine(x, x, x)
    out_perm, _ = mine(x[:, perm], x[:, perm], x[:, perm])
    assert_close(out_perm, out[:, perm], name="permuted output")


def test_mha_rejects_indivisible_heads():
    with pytest.raises(ValueError, match="divisible"):
        att.MultiHeadAttention(10, 3)
