# %% [markdown]
# # Assignment 4 — Attention from scratch in PyTorch
#
# You will write the pieces of a Transformer's attention layer: scaled dot-product attention
# with masks, the two masks every Transformer needs (causal and padding), the sinusoidal
# positional encoding and multi-head attention, and then assemble them into a Transformer
# encoder block, which you will train on a small task at the end.
#
# Read first: chapter 8, *Attention and the Transformer*.
#
# **How to work.** Replace each `raise NotImplementedError()` with your code; keep the names and
# signatures. Run the cell below each exercise: it holds quick visible checks. More checks run
# when your notebook is graded (against PyTorch's own modules, on shapes that are not square,
# with batch dimensions and masks), so make your code correct, not just the visible checks
# green. Before you submit, restart the kernel and run all cells, or press **Validate**.
#
# **Shapes.** `B` batch, `Tq` query positions, `Tk` key positions, `d` query/key width, `dv`
# value width, `...` any number of leading batch dimensions. All tensors are PyTorch tensors, and
# results keep the inputs' floating dtype (the grader checks in `float64`: a helper tensor made
# with a bare `torch.zeros(...)` is `float32`, so pass `dtype=` or use `torch.zeros_like`);
# masks are `torch.bool` with **`True` meaning "may attend"**, PyTorch's convention for
# `F.scaled_dot_product_attention` (but the *opposite* of `nn.MultiheadAttention`'s `attn_mask`).
#
# You may use any PyTorch function, including `torch.nn.functional.scaled_dot_product_attention`.
# Do not call `course_lib`'s reference solutions: the grader checks that the work is yours.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
import math

import torch
import torch.nn.functional as F
from torch import nn

from course_lib.grading import assert_close

torch.set_num_threads(1)  # these models are tiny: one thread is faster than several
torch.manual_seed(0)

# %% [markdown]
# ## Exercise 1 — scaled dot-product attention (3 points)
#
# $$\text{weights} = \operatorname{softmax}\Big(\frac{q k^\top}{\sqrt{d}}\Big), \qquad
# \text{out} = \text{weights}\; v,$$
#
# with the softmax over the keys (the last axis). Where `mask` is `False` the score must get
# exactly zero weight, and the remaining weights of that row must still sum to 1. A query row in
# which *every* key is masked has nothing to attend to: return all-zero weights and an all-zero
# output for it, never NaN (a plain softmax of a row of $-\infty$ gives $0/0$).

# %% nbgrader={"grade": false, "grade_id": "scaled_dot_product_attention", "locked": false, "schema_version": 3, "solution": true}
def scaled_dot_product_attention(q, k, v, mask=None):
    """q (..., Tq, d), k (..., Tk, d), v (..., Tk, dv), mask bool broadcastable to (..., Tq, Tk).

    Returns out (..., Tq, dv) and weights (..., Tq, Tk).
    """
    ### BEGIN SOLUTION
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    if mask is not None:
        weights = torch.where(mask, weights, torch.zeros_like(weights))  # fully masked rows: NaN -> 0
    return weights @ v, weights
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_scaled_dot_product_attention", "locked": true, "points": 3, "schema_version": 3, "solution": false}
import math

import torch

from course_lib.grading import assert_close

_q = torch.tensor([[1.0, 0.0], [0.0, 2.0]])          # Tq = 2, d = 2
_k = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])  # Tk = 3
_v = torch.tensor([[1.0], [2.0], [3.0]])             # dv = 1
_out, _w = scaled_dot_product_attention(_q, _k, _v)
assert tuple(_out.shape) == (2, 1), f"out should have shape (Tq, dv) = (2, 1), got {tuple(_out.shape)}"
assert tuple(_w.shape) == (2, 3), f"weights should have shape (Tq, Tk) = (2, 3), got {tuple(_w.shape)}"
_s = 1 / math.sqrt(2)  # the first query's scores are (1, 0, 1) / sqrt(2)
_e = torch.tensor([math.exp(_s), 1.0, math.exp(_s)])
assert_close(_w[0], _e / _e.sum(), name="weights of the first query (scores q.k / sqrt(d), softmax over keys)",
             rtol=1e-5, atol=1e-6)
_, _w = scaled_dot_product_attention(_q, _k, _v, mask=torch.tensor([[True, False, True], [False, False, False]]))
assert not torch.isnan(_w).any(), "a fully masked query row must give zeros, not NaN"
assert_close(_w[1], torch.zeros(3), name="weights of a fully masked query row")
assert_close(_w[0, 1], 0.0, name="weight of a masked key")
### BEGIN HIDDEN TESTS
import torch
import torch.nn.functional as F

import course_lib.torch_nn.attention as _ref
from course_lib.grading import assert_close, reference_blocked

_blocked = (_ref.scaled_dot_product_attention, _ref.masked_softmax, _ref.attention_scores)
_g = torch.Generator().manual_seed(401)
_B, _H, _Tq, _Tk, _d, _dv = 2, 3, 4, 6, 5, 7
_q = torch.randn(_B, _H, _Tq, _d, generator=_g, dtype=torch.float64) * 1.5
_k = torch.randn(_B, _H, _Tk, _d, generator=_g, dtype=torch.float64) * 1.5
_v = torch.randn(_B, _H, _Tk, _dv, generator=_g, dtype=torch.float64)


def _oracle(mask=None, q=_q, k=_k, v=_v):
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    eye = torch.eye(k.shape[-2], dtype=torch.float64)  # attending over the identity returns the weights
    weights = F.scaled_dot_product_attention(q, k, eye.expand(*k.shape[:-1], k.shape[-2]), attn_mask=mask)
    return out, weights


def _check(label, mask=None, q=_q, k=_k, v=_v):
    args = [t.clone() for t in (q, k, v)] + ([None] if mask is None else [mask.clone()])
    with reference_blocked(*_blocked):
        got_out, got_w = scaled_dot_product_attention(*args)
    exp_out, exp_w = _oracle(mask, q, k, v)
    assert got_out.dtype == q.dtype and got_w.dtype == q.dtype, (
        f"{label}: float64 inputs gave out {got_out.dtype} and weights {got_w.dtype}; keep the inputs' dtype")
    assert_close(got_w, exp_w, name=f"weights, {label} (against F.scaled_dot_product_attention)")
    assert_close(got_out, exp_out, name=f"out, {label} (against F.scaled_dot_product_attention)")
    for a, orig, n in zip(args, (q, k, v, mask), ("q", "k", "v", "mask")):
        assert orig is None or torch.equal(a, orig), f"scaled_dot_product_attention changed its argument {n}"


_check("4-d inputs, Tq != Tk, dv != d, no mask")
_check("3-d inputs", q=_q[0], k=_k[0], v=_v[0])
_check("2-d inputs", q=_q[0, 0], k=_k[0, 0], v=_v[0, 0])
_rand = torch.rand(_B, 1, _Tq, _Tk, generator=_g) < 0.6
_rand[..., 2] = True  # every query keeps at least one key
_check("a random (B, 1, Tq, Tk) mask", mask=_rand)
_check("a (Tq, Tk) mask broadcast over batch and heads", mask=_rand[0, 0])
_check("a key mask of shape (B, 1, 1, Tk)", mask=torch.tensor([[True] * 4 + [False] * 2, [True] * 6])[:, None, None])
_check("a causal mask with Tq == Tk", q=_q[..., :_Tk - 2, :], k=_k[..., :_Tk - 2, :], v=_v[..., :_Tk - 2, :],
       mask=torch.ones(_Tk - 2, _Tk - 2, dtype=torch.bool).tril())
# fully masked rows: zeros, never NaN; every other row as usual
_m = _rand.clone()
_m[0, 0, 1] = False
_m[1, 0, 3] = False
with reference_blocked(*_blocked):
    _out, _w = scaled_dot_product_attention(_q, _k, _v, _m)
assert not torch.isnan(_out).any() and not torch.isnan(_w).any(), "fully masked rows must not produce NaN"
assert_close(_w[0, :, 1], torch.zeros(_H, _Tk), name="weights of a fully masked query row")
assert_close(_out[1, :, 3], torch.zeros(_H, _dv), name="output of a fully masked query row")
_keep = _m.any(-1, keepdim=True)
_exp_out, _exp_w = _oracle(_m | ~_keep)
assert_close(torch.where(_keep, _w, 0.0), torch.where(_keep, _exp_w, 0.0), name="weights of the other rows")
assert_close(_w.sum(-1), _keep.expand(_B, _H, _Tq, 1)[..., 0].double(), name="row sums of the weights (1, or 0 if fully masked)")
# under a causal mask, changing a later token changes nothing before it
_T = 5
_x = torch.randn(1, _T, _d, generator=_g, dtype=torch.float64)
_x2 = _x.clone()
_x2[0, 3:] = torch.randn(2, _d, generator=_g, dtype=torch.float64)
_causal = torch.ones(_T, _T, dtype=torch.bool).tril()
with reference_blocked(*_blocked):
    _o1, _ = scaled_dot_product_attention(_x, _x, _x, _causal)
    _o2, _ = scaled_dot_product_attention(_x2, _x2, _x2, _causal)
assert_close(_o1[0, :3], _o2[0, :3], name="outputs before position 3 after changing tokens 3 and 4 (causal mask)")
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2 — the causal mask (1 point)
#
# In a decoder, position $i$ may look at positions $j \le i$ only (itself and the past), so that
# training on a whole sentence at once never lets a word peek at the words it must predict.
# Return a `(T, T)` boolean tensor, `True` on and below the diagonal.

# %% nbgrader={"grade": false, "grade_id": "causal_mask", "locked": false, "schema_version": 3, "solution": true}
def causal_mask(T):
    """T -> bool (T, T), True where key position <= query position."""
    ### BEGIN SOLUTION
    return torch.ones(T, T, dtype=torch.bool).tril()
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_causal_mask", "locked": true, "points": 1, "schema_version": 3, "solution": false}
import torch

_m = causal_mask(3)
assert isinstance(_m, torch.Tensor) and _m.dtype == torch.bool, "causal_mask should return a torch.bool tensor"
assert tuple(_m.shape) == (3, 3), f"causal_mask(3) should have shape (3, 3), got {tuple(_m.shape)}"
assert bool(_m[0, 0]) and not bool(_m[0, 1]), "position 0 may see itself but not position 1"
### BEGIN HIDDEN TESTS
import torch
import torch.nn.functional as F

import course_lib.torch_nn.attention as _ref
from course_lib.grading import assert_close, reference_blocked

with reference_blocked(_ref.causal_mask):
    _masks = {T: causal_mask(T) for T in (1, 2, 7)}
for _T, _m in _masks.items():
    assert isinstance(_m, torch.Tensor) and _m.dtype == torch.bool, f"causal_mask({_T}) is not a bool tensor"
    _i, _j = torch.meshgrid(torch.arange(_T), torch.arange(_T), indexing="ij")
    assert torch.equal(_m, _j <= _i), f"causal_mask({_T}) should be True exactly where key j <= query i:\n{_m.int()}"
# used with attention, later tokens never change earlier outputs
_g = torch.Generator().manual_seed(402)
_x = torch.randn(2, 7, 4, generator=_g, dtype=torch.float64)
_x2 = _x.clone()
_x2[:, 4:] = 0.0
_o1 = F.scaled_dot_product_attention(_x, _x, _x, attn_mask=_masks[7])
_o2 = F.scaled_dot_product_attention(_x2, _x2, _x2, attn_mask=_masks[7])
assert_close(_o1[:, :4], _o2[:, :4], name="outputs before position 4 when tokens 4.. change (with your mask)")
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 3 — the padding mask (1 point)
#
# A batch of sentences of different lengths is right-padded to a common length `T`. Given the
# true `lengths` (a LongTensor of shape `(B,)`), return a `(B, T)` boolean tensor, `True` where a
# position holds a real token (position `< lengths[b]`). Used as `mask[:, None, :]` it stops every
# query from attending to padding.

# %% nbgrader={"grade": false, "grade_id": "padding_mask", "locked": false, "schema_version": 3, "solution": true}
def padding_mask(lengths, T):
    """lengths LongTensor (B,), T -> bool (B, T), True where position < lengths[b]."""
    ### BEGIN SOLUTION
    return torch.arange(T) < lengths[:, None]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_padding_mask", "locked": true, "points": 1, "schema_version": 3, "solution": false}
import torch

_m = padding_mask(torch.tensor([2, 4]), 4)
assert isinstance(_m, torch.Tensor) and _m.dtype == torch.bool, "padding_mask should return a torch.bool tensor"
assert tuple(_m.shape) == (2, 4), f"padding_mask([2, 4], 4) should have shape (2, 4), got {tuple(_m.shape)}"
assert _m[1].all(), "a sequence of full length has no padding"
### BEGIN HIDDEN TESTS
import torch

import course_lib.torch_nn.attention as _ref
from course_lib.grading import reference_blocked

for _lengths, _T in (([3, 1, 5, 0, 2], 6), ([1], 1), ([4, 4], 4), ([0, 7, 3], 7)):
    _lt = torch.tensor(_lengths)
    _lt_arg = _lt.clone()
    with reference_blocked(_ref.padding_mask):
        _m = padding_mask(_lt_arg, _T)
    assert torch.equal(_lt_arg, _lt), f"padding_mask changed its lengths argument in place: {_lt_arg.tolist()}"
    _expected = torch.tensor([[t < n for t in range(_T)] for n in _lengths], dtype=torch.bool)
    assert isinstance(_m, torch.Tensor) and _m.dtype == torch.bool, "padding_mask should return a bool tensor"
    assert torch.equal(_m, _expected), (
        f"padding_mask({_lengths}, {_T}) should be\n{_expected.int()}\ngot\n{_m.int()}")
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 4 — sinusoidal positional encoding (2 points)
#
# Attention alone ignores word order. The original Transformer adds to each token's embedding
# a vector that depends only on its position $p$:
#
# $$PE_{p,\,2i} = \sin\!\big(p / 10000^{2i/d}\big), \qquad PE_{p,\,2i+1} = \cos\!\big(p / 10000^{2i/d}\big).$$
#
# Columns `2i` (even) hold sines and columns `2i + 1` (odd) cosines of the same frequency.
# Return a `float32` tensor of shape `(T, d)`; raise `ValueError` if `d` is odd.

# %% nbgrader={"grade": false, "grade_id": "positional_encoding", "locked": false, "schema_version": 3, "solution": true}
def positional_encoding(T, d):
    """T positions, even width d -> float32 (T, d)."""
    ### BEGIN SOLUTION
    if d % 2:
        raise ValueError(f"d must be even, got {d}")
    position = torch.arange(T, dtype=torch.float64)[:, None]
    angle = position / 10000 ** (torch.arange(0, d, 2, dtype=torch.float64) / d)
    pe = torch.zeros(T, d, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle)
    return pe.float()
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_positional_encoding", "locked": true, "points": 2, "schema_version": 3, "solution": false}
import math

import torch

from course_lib.grading import assert_close

_pe = positional_encoding(3, 4)
assert tuple(_pe.shape) == (3, 4), f"positional_encoding(3, 4) should have shape (3, 4), got {tuple(_pe.shape)}"
assert _pe.dtype == torch.float32, f"positional_encoding should return float32, got {_pe.dtype}"
assert_close(_pe[0], [0.0, 1.0, 0.0, 1.0], name="position 0 (sin 0 = 0 in even columns, cos 0 = 1 in odd ones)",
             rtol=1e-6, atol=1e-6)
assert_close(_pe[1, :2], [math.sin(1.0), math.cos(1.0)], name="position 1, columns 0 and 1 (frequency 1)",
             rtol=1e-6, atol=1e-6)
### BEGIN HIDDEN TESTS
import math

import torch

import course_lib.torch_nn.attention as _ref
from course_lib.grading import assert_close, reference_blocked

for _T, _d in ((50, 16), (7, 2), (1, 6), (33, 10)):
    _expected = torch.tensor([[math.sin(p / 10000 ** (c / _d)) if c % 2 == 0 else math.cos(p / 10000 ** ((c - 1) / _d))
                               for c in range(_d)] for p in range(_T)], dtype=torch.float64)
    with reference_blocked(_ref.positional_encoding):
        _pe = positional_encoding(_T, _d)
    assert isinstance(_pe, torch.Tensor) and _pe.dtype == torch.float32, f"should return float32, got {type(_pe)}"
    # float32 angles up to ~50 rad carry rounding errors of a few 1e-6; mistakes differ by far more
    assert_close(_pe, _expected, name=f"positional_encoding({_T}, {_d})", rtol=0, atol=5e-5)
for _d in (3, 7, 1):
    try:
        with reference_blocked(_ref.positional_encoding):
            positional_encoding(4, _d)
    except ValueError:
        pass
    else:
        raise AssertionError(f"positional_encoding(4, {_d}) should raise ValueError: d is odd")
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 5 — multi-head attention (3 points)
#
# Project `query`, `key` and `value` with `q_proj`, `k_proj`, `v_proj` (each
# `nn.Linear(d_model, d_model)`), split the last axis into `num_heads` heads of width
# `d_model // num_heads`, attend in every head at once, put the heads back side by side and
# apply `out_proj`:
#
# `(B, T, d_model)` → `(B, T, num_heads, d_head)` → **transpose** → `(B, num_heads, T, d_head)` →
# attention → `(B, num_heads, Tq, d_head)` → transpose back → `(B, Tq, d_model)` → `out_proj`.
#
# Return the output `(B, Tq, d_model)` and the weights of every head `(B, num_heads, Tq, Tk)`.
# `mask` (bool, `True` = may attend) broadcasts to `(B, num_heads, Tq, Tk)`. Raise `ValueError`
# if `d_model` is not divisible by `num_heads`. With the same weights, your module must agree
# with `nn.MultiheadAttention(d_model, num_heads, batch_first=True)`. You may use your
# `scaled_dot_product_attention`.

# %% nbgrader={"grade": false, "grade_id": "MultiHeadAttention", "locked": false, "schema_version": 3, "solution": true}
class MultiHeadAttention(nn.Module):
    """Multi-head attention with q_proj, k_proj, v_proj, out_proj = nn.Linear(d_model, d_model)."""

    def __init__(self, d_model, num_heads):
        super().__init__()
        ### BEGIN SOLUTION
        if d_model % num_heads:
            raise ValueError(f"d_model={d_model} is not divisible by num_heads={num_heads}")
        self.num_heads, self.d_head = num_heads, d_model // num_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)
        ### END SOLUTION

    def forward(self, query, key, value, mask=None):
        """query (B, Tq, d_model), key/value (B, Tk, d_model) -> out (B, Tq, d_model), weights (B, h, Tq, Tk)."""
        ### BEGIN SOLUTION
        def split(x):  # (B, T, d_model) -> (B, h, T, d_head)
            return x.reshape(x.shape[0], x.shape[1], self.num_heads, self.d_head).transpose(1, 2)

        q, k, v = split(self.q_proj(query)), split(self.k_proj(key)), split(self.v_proj(value))
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.d_head)
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        if mask is not None:
            weights = torch.where(mask, weights, torch.zeros_like(weights))
        heads = (weights @ v).transpose(1, 2).reshape(query.shape[0], query.shape[1], -1)
        return self.out_proj(heads), weights
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_MultiHeadAttention", "locked": true, "points": 3, "schema_version": 3, "solution": false}
import torch
from torch import nn

_mha = MultiHeadAttention(8, 2)
for _name in ("q_proj", "k_proj", "v_proj", "out_proj"):
    _lin = getattr(_mha, _name, None)
    assert isinstance(_lin, nn.Linear) and tuple(_lin.weight.shape) == (8, 8) and _lin.bias is not None, (
        f"{_name} should be nn.Linear(d_model, d_model) with a bias")
_x = torch.randn(3, 5, 8)
_out, _w = _mha(_x, _x, _x)
assert tuple(_out.shape) == (3, 5, 8), f"out should have shape (B, T, d_model) = (3, 5, 8), got {tuple(_out.shape)}"
assert tuple(_w.shape) == (3, 2, 5, 5), f"weights should have shape (B, h, Tq, Tk) = (3, 2, 5, 5), got {tuple(_w.shape)}"
### BEGIN HIDDEN TESTS
import torch
from torch import nn

import course_lib.torch_nn.attention as _ref
from course_lib.grading import assert_close, reference_blocked

_blocked = (_ref.scaled_dot_product_attention, _ref.masked_softmax, _ref.attention_scores,
            _ref.MultiHeadAttention.forward, _ref.MultiHeadAttention._split_heads)
for _dm, _h in ((12, 5), (10, 4), (7, 2)):
    try:
        MultiHeadAttention(_dm, _h)
    except ValueError:
        pass
    else:
        raise AssertionError(f"MultiHeadAttention({_dm}, {_h}) should raise ValueError: {_dm} % {_h} != 0")
torch.manual_seed(403)
_B, _Tq, _Tk, _dm, _h = 2, 3, 5, 12, 3
_torch_mha = nn.MultiheadAttention(_dm, _h, batch_first=True).double()
with torch.no_grad():
    for _p in _torch_mha.parameters():
        _p.uniform_(-0.6, 0.6)
_mine = MultiHeadAttention(_dm, _h).double()
with torch.no_grad():
    for _lin, _w_in, _b_in in zip((_mine.q_proj, _mine.k_proj, _mine.v_proj),
                                  _torch_mha.in_proj_weight.chunk(3), _torch_mha.in_proj_bias.chunk(3)):
        _lin.weight.copy_(_w_in)
        _lin.bias.copy_(_b_in)
    _mine.out_proj.weight.copy_(_torch_mha.out_proj.weight)
    _mine.out_proj.bias.copy_(_torch_mha.out_proj.bias)
_g = torch.Generator().manual_seed(404)
_query = torch.randn(_B, _Tq, _dm, generator=_g, dtype=torch.float64)
_key = torch.randn(_B, _Tk, _dm, generator=_g, dtype=torch.float64)
_value = torch.randn(_B, _Tk, _dm, generator=_g, dtype=torch.float64)


def _compare(label, query, key, value, mask=None, torch_kwargs=None):
    with torch.no_grad():
        exp_out, exp_w = _torch_mha(query, key, value, need_weights=True, average_attn_weights=False,
                                    **(torch_kwargs or {}))
        with reference_blocked(*_blocked):
            got_out, got_w = _mine(query, key, value, mask) if mask is not None else _mine(query, key, value)
    assert got_out.dtype == torch.float64 and got_w.dtype == torch.float64, (
        f"{label}: a float64 module and inputs gave out {got_out.dtype} and weights {got_w.dtype}; keep the dtype")
    assert_close(got_w, exp_w, name=f"weights, {label} (against nn.MultiheadAttention with your weights)")
    assert_close(got_out, exp_out, name=f"out, {label} (against nn.MultiheadAttention with your weights)")


_compare("cross-attention, Tq != Tk", _query, _key, _value)
_compare("self-attention", _key, _key, _key)
_allowed = torch.rand(_Tq, _Tk, generator=_g) < 0.6
_allowed[:, 0] = True
_compare("a (Tq, Tk) mask", _query, _key, _value, _allowed, {"attn_mask": ~_allowed})
_keys_ok = torch.tensor([[True, True, True, False, False], [True] * 5])
_compare("a key padding mask (B, 1, 1, Tk)", _query, _key, _value, _keys_ok[:, None, None],
         {"key_padding_mask": ~_keys_ok})
# no leak from the future under a causal mask
_x = torch.randn(1, 6, _dm, generator=_g, dtype=torch.float64)
_x2 = _x.clone()
_x2[0, 4:] = torch.randn(2, _dm, generator=_g, dtype=torch.float64)
_causal = torch.ones(6, 6, dtype=torch.bool).tril()
with torch.no_grad(), reference_blocked(*_blocked):
    _o1, _ = _mine(_x, _x, _x, _causal)
    _o2, _ = _mine(_x2, _x2, _x2, _causal)
assert_close(_o1[0, :4], _o2[0, :4], name="outputs before position 4 after changing tokens 4 and 5 (causal mask)")
# without positions, self-attention is permutation equivariant
_perm = torch.tensor([3, 0, 4, 1, 2])
with torch.no_grad(), reference_blocked(*_blocked):
    _o, _ = _mine(_key, _key, _key)
    _op, _ = _mine(_key[:, _perm], _key[:, _perm], _key[:, _perm])
assert_close(_op, _o[:, _perm], name="self-attention of permuted tokens (should be the permuted output)")
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 6 — the encoder block (3 points)
#
# A Transformer encoder is a stack of identical blocks. Each block first mixes information
# *across* positions with self-attention, then transforms every position *on its own* with a
# small two-layer network, the position-wise feed-forward network (FFN). Around each of the two
# sub-layers sits a **residual connection** (the sub-layer's input is added to its output) and
# then a **LayerNorm**:
#
# $$H = \operatorname{LayerNorm}_1\big(X + \operatorname{MHA}(X, X, X)\big), \qquad
# \text{out} = \operatorname{LayerNorm}_2\big(H + \operatorname{ReLU}(H W_1^\top + b_1)\, W_2^\top + b_2\big).$$
#
# | step | code | shape |
# |---|---|---|
# | input | `x` | `(B, T, d_model)` |
# | self-attention | `self.attn(x, x, x, mask)[0]` | `(B, T, d_model)` |
# | residual, then norm | `h = self.norm1(x + ...)` | `(B, T, d_model)` |
# | FFN, first layer | `torch.relu(self.ff1(h))` | `(B, T, d_ff)` |
# | FFN, second layer | `self.ff2(...)` | `(B, T, d_model)` |
# | residual, then norm | `out = self.norm2(h + ...)` | `(B, T, d_model)` |
#
# This is the **post-norm** block of the original Transformer and of PyTorch's default
# `nn.TransformerEncoderLayer` (`norm_first=False`): the LayerNorm comes *after* each residual
# sum, whereas a pre-norm block (`x + attn(norm1(x))`, used by GPT-2 and most large models
# because deep stacks of it train more stably) normalises only the sub-layer's input and leaves
# the residual path untouched.
#
# Give the block exactly these attributes (the grader copies their weights into PyTorch's layer):
#
# | attribute | module |
# |---|---|
# | `attn` | your `MultiHeadAttention(d_model, num_heads)` from exercise 5 |
# | `ff1` | `nn.Linear(d_model, d_ff)` |
# | `ff2` | `nn.Linear(d_ff, d_model)` |
# | `norm1`, `norm2` | two separate `nn.LayerNorm(d_model)` |
#
# `forward(x, mask=None)` returns the output tensor `(B, T, d_model)` alone, not the attention
# weights. `mask` is as in exercise 5 (bool, `True` = may attend, broadcastable to
# `(B, num_heads, T, T)`): hand it to `self.attn`. No dropout. With the same weights your block
# must agree with `nn.TransformerEncoderLayer(d_model, num_heads, d_ff, dropout=0.0,
# batch_first=True)`, whose masks mean the opposite (`True` = blocked). The block is only as
# right as your `MultiHeadAttention`: when that is the reason it fails, the grader says so.

# %% nbgrader={"grade": false, "grade_id": "EncoderBlock", "locked": false, "schema_version": 3, "solution": true}
class EncoderBlock(nn.Module):
    """Post-norm Transformer encoder block: attn, ff1, ff2, norm1, norm2."""

    def __init__(self, d_model, num_heads, d_ff):
        super().__init__()
        ### BEGIN SOLUTION
        self.attn = MultiHeadAttention(d_model, num_heads)
        self.ff1 = nn.Linear(d_model, d_ff)
        self.ff2 = nn.Linear(d_ff, d_model)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        ### END SOLUTION

    def forward(self, x, mask=None):
        """x (B, T, d_model), mask bool broadcastable to (B, num_heads, T, T) -> (B, T, d_model)."""
        ### BEGIN SOLUTION
        h = self.norm1(x + self.attn(x, x, x, mask)[0])           # attention, residual, norm
        return self.norm2(h + self.ff2(torch.relu(self.ff1(h))))  # FFN, residual, norm
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_EncoderBlock", "locked": true, "points": 3, "schema_version": 3, "solution": false}
import torch
from torch import nn

from course_lib.grading import assert_close

_x = torch.randn(3, 5, 8, generator=torch.Generator().manual_seed(405))
_diagonal = torch.eye(5, dtype=torch.bool)  # every position may attend only to itself
_FAILURES = (AssertionError, ArithmeticError, LookupError, TypeError, ValueError, RuntimeError, AttributeError)


def _attention_sees_only_itself():
    """Your MultiHeadAttention under the diagonal mask: does each position get what that token alone gets?"""
    try:
        mha = MultiHeadAttention(8, 2)
        out, _ = mha(_x, _x, _x, _diagonal)
        alone = torch.cat([mha(_x[:, t:t + 1], _x[:, t:t + 1], _x[:, t:t + 1])[0] for t in range(5)], dim=1)
        return tuple(out.shape) == tuple(alone.shape) and torch.allclose(out, alone, rtol=1e-5, atol=1e-5)
    except _FAILURES:
        return False


try:
    _block = EncoderBlock(8, 2, 16)
    assert isinstance(getattr(_block, "attn", None), nn.Module), "attn should be your MultiHeadAttention(d_model, num_heads)"
    for _name in ("q_proj", "k_proj", "v_proj", "out_proj"):
        assert isinstance(getattr(_block.attn, _name, None), nn.Linear), (
            f"attn has no nn.Linear {_name}: attn should be your MultiHeadAttention(d_model, num_heads)")
    for _name, _shape in (("ff1", (8, 16)), ("ff2", (16, 8))):
        _lin = getattr(_block, _name, None)
        assert isinstance(_lin, nn.Linear) and (_lin.in_features, _lin.out_features) == _shape, (
            f"{_name} should be nn.Linear{_shape} for EncoderBlock(8, 2, 16)")
    for _name in ("norm1", "norm2"):
        _norm = getattr(_block, _name, None)
        assert isinstance(_norm, nn.LayerNorm) and tuple(_norm.normalized_shape) == (8,), (
            f"{_name} should be nn.LayerNorm(8)")
    _y = _block(_x)
    assert isinstance(_y, torch.Tensor), (
        f"forward should return the output tensor (B, T, d_model) alone, not the attention weights; got a {type(_y).__name__}")
    assert tuple(_y.shape) == (3, 5, 8), f"the output should have shape (B, T, d_model) = (3, 5, 8), got {tuple(_y.shape)}"
    # under the diagonal mask, each position's output is the block applied to that token alone
    _y_self = _block(_x, _diagonal)
    for _t in range(5):
        assert_close(_y_self[:, _t], _block(_x[:, _t:_t + 1])[:, 0], rtol=1e-5, atol=1e-5,
                     name=f"position {_t} under a diagonal mask (against the block run on that token alone)")
except _FAILURES:
    if not _attention_sees_only_itself():  # the block fails: is your MultiHeadAttention the reason?
        raise AssertionError("EncoderBlock uses your MultiHeadAttention, which fails its own checks: fix that exercise "
                             "first (under a diagonal mask, its positions do not see only themselves)") from None
    raise
### BEGIN HIDDEN TESTS
import torch
from torch import nn

import course_lib.torch_nn.attention as _ref
import course_lib.torch_nn.transformer as _ref_block
from course_lib.gradient_probes import input_gradients, parameter_gradients
from course_lib.grading import assert_close, reference_blocked

_blocked = (_ref.scaled_dot_product_attention, _ref.masked_softmax, _ref.attention_scores,
            _ref.MultiHeadAttention.forward, _ref.MultiHeadAttention._split_heads,
            _ref_block.EncoderBlock.forward, _ref_block.EncoderBlock.forward_with_weights)
# what a wrong answer raises (in the judge, the student's exceptions arrive as these builtins; the grader's own
# timeouts and crashes are none of them)
_FAILURES = (AssertionError, ArithmeticError, LookupError, TypeError, ValueError, RuntimeError, AttributeError)
_PROJ = ("q_proj", "k_proj", "v_proj")


def _mha_state(attn, read, prefix=""):
    """nn.MultiheadAttention's packed parameters (``read(p)``: p or p.grad) as q_proj, ..., out_proj."""
    state = {f"{prefix}out_proj.weight": read(attn.out_proj.weight), f"{prefix}out_proj.bias": read(attn.out_proj.bias)}
    for name, w, b in zip(_PROJ, read(attn.in_proj_weight).chunk(3), read(attn.in_proj_bias).chunk(3)):
        state[f"{prefix}{name}.weight"], state[f"{prefix}{name}.bias"] = w, b
    return {k: v.detach().clone() for k, v in state.items()}


def _block_state(layer, read):
    """nn.TransformerEncoderLayer's parameters (or gradients) under the block's names attn.*, ff1, ff2, norm1, norm2."""
    state = _mha_state(layer.self_attn, read, prefix="attn.")
    for mine, theirs in (("ff1", "linear1"), ("ff2", "linear2"), ("norm1", "norm1"), ("norm2", "norm2")):
        for kind in ("weight", "bias"):
            state[f"{mine}.{kind}"] = read(getattr(getattr(layer, theirs), kind)).detach().clone()
    return state


def _randomise(module, seed):
    """Every weight uniform in [-0.6, 0.6], LayerNorm gains in [0.5, 1.5]: no two modules alike."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in module.named_parameters():
            p.copy_(torch.rand(p.shape, generator=g, dtype=p.dtype) * 1.2 - 0.6)
            if name.startswith("norm") and name.endswith("weight"):
                p.add_(1.0)
    return module


def _mha_problem():
    """None if the notebook's MultiHeadAttention passes its value checks, else the first failure."""
    dm, h = 12, 3
    theirs = _randomise(nn.MultiheadAttention(dm, h, batch_first=True).double(), 406)
    g = torch.Generator().manual_seed(407)
    query = torch.randn(2, 3, dm, generator=g, dtype=torch.float64)
    keys = torch.randn(2, 5, dm, generator=g, dtype=torch.float64)
    causal = torch.ones(5, 5, dtype=torch.bool).tril()
    valid = torch.tensor([[True, True, True, False, False], [True] * 5])
    checks = (("cross-attention", (query, keys, keys), None, {}),
              ("self-attention", (keys, keys, keys), None, {}),
              ("a causal mask", (keys, keys, keys), causal, {"attn_mask": ~causal}),
              ("a key padding mask", (keys, keys, keys), valid[:, None, None], {"key_padding_mask": ~valid}))
    try:
        with reference_blocked(*_blocked):
            mine = MultiHeadAttention(dm, h).double()
            mine.load_state_dict(_mha_state(theirs, lambda p: p), strict=False)
        for label, args, mask, kwargs in checks:
            with torch.no_grad():
                exp_out, exp_w = theirs(*args, need_weights=True, average_attn_weights=False, **kwargs)
                with reference_blocked(*_blocked):
                    got_out, got_w = mine(*args) if mask is None else mine(*args, mask)
            assert_close(got_w, exp_w, name=f"MultiHeadAttention weights, {label}")
            assert_close(got_out, exp_out, name=f"MultiHeadAttention output, {label}")
    except _FAILURES as err:
        return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return None


def _layer_and_block(d_model, num_heads, d_ff, seed):
    """PyTorch's layer with random weights, and the student's block holding the same weights."""
    layer = _randomise(nn.TransformerEncoderLayer(d_model, num_heads, d_ff, dropout=0.0, batch_first=True).double(),
                       seed)
    layer.train()  # with dropout 0, train() is the plain math (eval() may take a fused fast path)
    wanted = _block_state(layer, lambda p: p)
    with reference_blocked(*_blocked):
        block = EncoderBlock(d_model, num_heads, d_ff).double()
    have = block.state_dict()
    missing = [k for k in wanted if k not in have]
    assert not missing, (f"EncoderBlock({d_model}, {num_heads}, {d_ff}) has no {', '.join(missing)}: the attributes "
                         "are attn (your MultiHeadAttention), ff1, ff2, norm1, norm2")
    for k, v in wanted.items():
        assert tuple(have[k].shape) == tuple(v.shape), (
            f"EncoderBlock({d_model}, {num_heads}, {d_ff}): {k} has shape {tuple(have[k].shape)}, expected {tuple(v.shape)}")
    block.load_state_dict(wanted, strict=False)
    held = block.state_dict()  # read back: the weights the block holds now
    for k, v in wanted.items():
        assert torch.equal(held[k], v), (
            f"after loading weights, {k} holds another module's values: norm1 and norm2 (and ff1, ff2) must be "
            "separate modules")
    return layer, block  # the layer holds exactly the weights read back from the block


def _check_masks(d_model, num_heads, d_ff, B, T, lengths, seed):
    layer, block = _layer_and_block(d_model, num_heads, d_ff, seed)
    g = torch.Generator().manual_seed(seed + 1)
    x = torch.randn(B, T, d_model, generator=g, dtype=torch.float64)
    causal = torch.ones(T, T, dtype=torch.bool).tril()
    valid = torch.arange(T)[None, :] < torch.tensor(lengths)[:, None]  # (B, T) real tokens
    per_head = (torch.rand(B, num_heads, T, T, generator=g) < 0.5) | torch.eye(T, dtype=torch.bool)
    cases = (("no mask", None, {}),
             ("a causal mask (T, T)", causal, {"src_mask": ~causal}),
             ("a padding mask (B, 1, 1, T)", valid[:, None, None, :], {"src_key_padding_mask": ~valid}),
             ("causal and padding combined, (B, 1, T, T)", causal & valid[:, None, None, :],
              {"src_mask": ~causal, "src_key_padding_mask": ~valid}),
             ("a mask per head (B, num_heads, T, T)", per_head, {"src_mask": ~per_head.reshape(B * num_heads, T, T)}))
    where = f"EncoderBlock({d_model}, {num_heads}, {d_ff}), B={B}, T={T}"
    for label, mask, torch_masks in cases:
        args = (x.clone(),) if mask is None else (x.clone(), mask.clone())
        with reference_blocked(*_blocked):
            got = block(*args)
        assert isinstance(got, torch.Tensor), (
            f"{where}: forward returned a {type(got).__name__}; it should return the output tensor alone")
        assert got.dtype == torch.float64, f"{where}, {label}: a float64 block and input gave {got.dtype}"
        with torch.no_grad():
            expected = layer(x, **torch_masks)
        assert_close(got, expected, name=f"{where}, {label} (against nn.TransformerEncoderLayer with your weights)")
        assert torch.equal(args[0], x) and (mask is None or torch.equal(args[1], mask)), (
            f"{where}, {label}: forward changed its x or mask argument in place")
    return layer, block, x, causal & valid[:, None, None, :], {"src_mask": ~causal, "src_key_padding_mask": ~valid}


def _check_gradients(layer, block, x, mask, torch_masks):
    """Gradients of the block's output, for x and every weight, against PyTorch's layer."""
    upstream = torch.randn(x.shape, generator=torch.Generator().manual_seed(408), dtype=torch.float64)  # dL/d output
    with reference_blocked(*_blocked):
        _, (d_x,) = input_gradients(block, (x, mask), wrt=(0,), grad_output=upstream)
        _, grads = parameter_gradients(block, (x, mask), grad_output=upstream)
    x_leaf = x.clone().requires_grad_(True)
    layer.zero_grad()
    (layer(x_leaf, **torch_masks) * upstream).sum().backward()
    assert d_x is not None, "no gradient reaches x through the block"
    assert_close(d_x, x_leaf.grad, name="the gradient of the output with respect to x")
    expected = _block_state(layer, lambda p: p.grad)
    for name, grad in expected.items():
        if name in grads:  # a parameter registered twice is listed once, under its first name
            assert grads[name] is not None, f"no gradient reaches {name}: the output must stay connected to it"
            assert_close(grads[name], grad, name=f"the gradient of {name}")


def _check_block():
    layer, block, x, mask, torch_masks = _check_masks(12, 3, 20, 2, 5, [3, 5], 410)
    _check_masks(8, 2, 6, 1, 4, [2], 420)   # a batch of one, d_ff < d_model
    _check_masks(6, 1, 10, 3, 1, [1, 1, 1], 430)  # T = 1, one head
    _check_gradients(layer, block, x, mask, torch_masks)


try:
    _check_block()
except _FAILURES:
    _problem = _mha_problem()
    if _problem is not None:
        raise AssertionError("EncoderBlock uses your MultiHeadAttention, which fails its own checks: fix that "
                             f"exercise first\n(first failing check: {_problem})") from None
    raise
### END HIDDEN TESTS

# %% [markdown]
# ## Putting it together (not graded)
#
# Your pieces in a row: a sentence of 5 tokens padded to 6, with a causal mask combined with its
# padding mask, positions added to random embeddings, attended by two heads. No weight should
# sit above the diagonal (the future) or in the last column (the padded key), and every row
# should sum to 1.

# %% nbgrader={"grade": false, "grade_id": "demo", "locked": true, "schema_version": 3, "solution": false}
import torch

_emb = torch.randn(1, 6, 8, generator=torch.Generator().manual_seed(0)) + positional_encoding(6, 8)
_mask = causal_mask(6) & padding_mask(torch.tensor([5]), 6)[:, None, :]  # (1, 6, 6)
_attn = MultiHeadAttention(8, 2)
with torch.no_grad():
    _, _weights = _attn(_emb, _emb, _emb, _mask[:, None])
print(_weights[0, 0].numpy().round(2))

# %% [markdown]
# ### An encoder block at work
#
# The task from chapter 8: a sequence of `T = 12` random tokens out of 8, labelled by its
# **first** token. A model that reads its answer at the *last* position must carry that token
# across the whole sequence; one attention layer can look straight back at position 0, provided
# the positional encoding tells it where position 0 is. Below, your pieces as a classifier:
# embeddings plus your `positional_encoding`, one of your `EncoderBlock`s, and a linear layer on
# the last position, trained with Adam for 200 steps (a few seconds on a CPU). Chance is 1/8;
# expect an accuracy close to 1, and attention maps in which the last row (the position that
# answers) puts nearly all its weight on the first column. (Skipped while grading.)

# %% nbgrader={"grade": false, "grade_id": "encoder_demo", "locked": true, "schema_version": 3, "solution": false}
import torch
import torch.nn.functional as F
from torch import nn

from course_lib.data.tasks import first_token_task
from course_lib.grading import in_autograder

T, NUM_TOKENS, D_MODEL, NUM_HEADS, D_FF = 12, 8, 32, 2, 64
STEPS, BATCH, LEARNING_RATE = 200, 32, 3e-3  # enough to learn the task, in about a second per 100 steps


class FirstTokenClassifier(nn.Module):
    """ids (B, T) -> logits (B, NUM_TOKENS), read at the last position."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(NUM_TOKENS, D_MODEL)
        self.block = EncoderBlock(D_MODEL, NUM_HEADS, D_FF)
        self.head = nn.Linear(D_MODEL, NUM_TOKENS)

    def inputs(self, ids):
        return self.embed(ids) + positional_encoding(ids.shape[1], D_MODEL)  # (B, T, D_MODEL)

    def forward(self, ids):
        return self.head(self.block(self.inputs(ids))[:, -1])


if not in_autograder():
    import matplotlib.pyplot as plt

    from course_lib.plotting import plot_attention

    torch.manual_seed(0)
    data_gen = torch.Generator().manual_seed(0)
    classifier = FirstTokenClassifier()
    optimizer = torch.optim.Adam(classifier.parameters(), lr=LEARNING_RATE)
    for step in range(1, STEPS + 1):
        ids, labels = first_token_task(BATCH, T, NUM_TOKENS, data_gen)
        loss = F.cross_entropy(classifier(ids), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 50 == 0:
            print(f"step {step:3d}  loss {loss.item():.4f}")
    test_ids, test_labels = first_token_task(1000, T, NUM_TOKENS, data_gen)
    with torch.no_grad():
        accuracy = (classifier(test_ids).argmax(-1) == test_labels).float().mean().item()
        x = classifier.inputs(test_ids[:1])
        _, attention = classifier.block.attn(x, x, x)  # (1, NUM_HEADS, T, T)
    print(f"accuracy on 1000 new sequences: {accuracy:.3f} (chance: {1 / NUM_TOKENS:.3f})")
    print("weight of the last position on position 0, per head:", attention[0, :, -1, 0].numpy().round(2))
    tokens = [f"{p}:{token}" for p, token in enumerate(test_ids[0].tolist())]
    fig, axes = plt.subplots(1, NUM_HEADS, figsize=(5 * NUM_HEADS, 4))
    for head, ax in enumerate(axes):
        plot_attention(attention[0, head].numpy(), tokens, tokens, ax=ax, title=f"head {head} (position:token)")
    plt.tight_layout()
    plt.show()
