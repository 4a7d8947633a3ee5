# %% [markdown]
# # Assignment 6 — Sequence to sequence with attention
#
# You will write the pieces that turn an encoder–decoder into a translator: Bahdanau's
# additive attention, the decoder input of teacher forcing, the loss over padded targets, and
# the two ways of producing an output one token at a time, greedy decoding and beam search.
# At the end, your pieces train a small model that reads numbers (`12,000`) and writes them in
# Korean words (`만 이천`), and decode it.
#
# Read first: chapter 9, *Sequence to sequence with attention*.
#
# **How to work.** Replace each `raise NotImplementedError()` with your code; keep the function
# names and signatures. Run the cell below each exercise: it holds quick visible checks. More
# checks run when your notebook is graded (against PyTorch's own loss, a hand-written attention
# in `float64`, and exhaustive searches over small made-up models), so make your code correct,
# not just the visible checks green. Before you submit, restart the kernel and run all cells, or
# press **Validate**.
#
# **Shapes.** `B` batch, `S` source positions, `L` target positions, `H` state width, `A`
# attention width, `V` target vocabulary. Tensors are PyTorch tensors; results keep the inputs'
# floating dtype (the grader checks in `float64`: a helper made with a bare `torch.zeros(...)` is
# `float32`, so pass `dtype=` or use `torch.zeros_like`). Token ids are `torch.long`.
#
# You may use any PyTorch function. Do not call `course_lib`'s reference solutions: the grader
# checks that the work is yours.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
import math

import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(0)

# %% [markdown]
# ## Exercise 1 — additive attention (3 points)
#
# The decoder's state `query[b]` asks which source positions matter now. Each encoder output
# `keys[b, s]` gets a score from a one-hidden-layer network,
#
# $$e_{bs} = v^\top \tanh\big(\text{query}_b W_q + \text{keys}_{bs} W_k\big),$$
#
# the scores of a row become weights by a softmax **over the source positions**, and the
# context is the weighted sum of the encoder outputs (they are keys and values at once):
#
# $$\alpha_{bs} = \frac{\exp e_{bs}}{\sum_{s'} \exp e_{bs'}}, \qquad
# \text{context}_b = \sum_s \alpha_{bs}\, \text{keys}_{bs}.$$
#
# `mask` is a `(B, S)` bool tensor, `True` where `keys[b, s]` is a real source position and
# `False` at padding, or `None` when every position is real. A masked position must get weight
# **exactly 0**, and the other weights of its row must still sum to 1 (every row has at least
# one real position). Shapes: `query (B, H)`, `keys (B, S, H)`, `W_q (H, A)`, `W_k (H, A)`,
# `v (A,)`; return `context (B, H)` and `weights (B, S)`.

# %% nbgrader={"grade": false, "grade_id": "additive_attention", "locked": false, "schema_version": 3, "solution": true}
def additive_attention(query, keys, mask, W_q, W_k, v):
    """query (B, H), keys (B, S, H), mask bool (B, S) or None, W_q (H, A), W_k (H, A), v (A,)
    -> context (B, H), weights (B, S)."""
    ### BEGIN SOLUTION
    scores = torch.tanh(query[:, None, :] @ W_q + keys @ W_k) @ v        # (B, S)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=1)
    context = torch.einsum("bs,bsh->bh", weights, keys)
    return context, weights
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_additive_attention", "locked": true, "points": 3, "schema_version": 3, "solution": false}
import math

import torch

from course_lib.diagnosis import Diagnosis
from course_lib.grading import assert_close

# One source position scores tanh(1) * 1, the other tanh(-1) * 1: with H = A = 1 and all weights 1.
_query = torch.tensor([[0.5]])
_keys = torch.tensor([[[0.5], [-1.5]]])
_one = torch.ones(1, 1)
_context, _weights = additive_attention(_query, _keys, None, _one, _one, torch.ones(1))
assert tuple(_context.shape) == (1, 1) and tuple(_weights.shape) == (1, 2), (
    f"context should be (B, H) = (1, 1) and weights (B, S) = (1, 2); got {tuple(_context.shape)} and {tuple(_weights.shape)}")
_e = torch.tensor([math.exp(math.tanh(1.0)), math.exp(math.tanh(-1.0))])
_d = Diagnosis("a6_seq2seq", "additive_attention")
_d.check(_weights[0], _e / _e.sum(), name="weights (softmax of v . tanh(query W_q + key W_k) over the source)",
         rtol=1e-5, atol=1e-6, mistakes={  # without the tanh the scores are 1 and -1; a softmax over B = 1 gives 1s
             "attention-no-tanh": torch.softmax(torch.tensor([1.0, -1.0]), dim=0),
             "attention-softmax-wrong-axis": torch.ones(2)})
_, _weights = additive_attention(_query, _keys, torch.tensor([[True, False]]), _one, _one, torch.ones(1))
if 0.0 < float(_weights[0, 1]) < 1e-6:
    _d.fail("attention-mask-fill-finite", f"weight {float(_weights[0, 1]):.3g}")
_d.check(_weights[0], torch.tensor([1.0, 0.0]), name="weights with the second position masked", mistakes={
    "attention-mask-inverted": torch.tensor([0.0, 1.0]), "attention-mask-ignored": _e / _e.sum(),
    "attention-mask-after-softmax": torch.tensor([_e[0] / _e.sum(), 0.0])}, rtol=1e-5, atol=1e-6)
assert float(_weights[0, 1]) == 0.0, f"a masked position must get weight exactly 0, got {float(_weights[0, 1])}"
assert_close(_weights[0, 0], 1.0, name="the weight of the only real position")
### BEGIN HIDDEN TESTS
import math

import torch

import course_lib.torch_nn.seq2seq as _ref
from course_lib.diagnosis import Diagnosis
from course_lib.grading import assert_close, reference_blocked

_d = Diagnosis("a6_seq2seq", "additive_attention")
_g = torch.Generator().manual_seed(601)


def _oracle(query, keys, mask, W_q, W_k, v):
    """Additive attention one score at a time, in float64 Python arithmetic."""
    B, S, H = keys.shape
    weights = torch.zeros(B, S, dtype=torch.float64)
    for b in range(B):
        real = [s for s in range(S) if mask is None or bool(mask[b, s])]
        scores = {s: float(torch.tanh(query[b] @ W_q + keys[b, s] @ W_k) @ v) for s in real}
        top = max(scores.values())
        total = sum(math.exp(e - top) for e in scores.values())
        for s, e in scores.items():
            weights[b, s] = math.exp(e - top) / total
    context = torch.stack([sum(weights[b, s] * keys[b, s] for s in range(S)) for b in range(B)])
    return context, weights


def _mistaken_weights(query, keys, mask, W_q, W_k, v):
    """The weights additive attention gives with one common mistake each (to name it when yours equal them)."""

    def soft(scores, m=mask, dim=1, fill=float("-inf")):
        return torch.softmax(scores if m is None else scores.masked_fill(~m, fill), dim=dim)

    right = torch.tanh((query @ W_q)[:, None, :] + keys @ W_k) @ v
    mistaken = {
        "attention-softmax-wrong-axis": lambda: soft(right, dim=0),
        "attention-no-tanh": lambda: soft(((query @ W_q)[:, None, :] + keys @ W_k) @ v),
        "attention-swapped-projections": lambda: soft(torch.tanh((query @ W_k)[:, None, :] + keys @ W_q) @ v),
    }
    if mask is not None:
        mistaken["attention-mask-inverted"] = lambda: soft(right, m=~mask)
        mistaken["attention-mask-ignored"] = lambda: soft(right, m=None)
        mistaken["attention-mask-after-softmax"] = lambda: soft(right, m=None) * mask
        for fill in (-10.0, -30.0):  # fills small enough to show in the weights' values
            mistaken[f"attention-mask-fill-finite/{fill:g}"] = lambda fill=fill: soft(right, fill=fill)
    return mistaken


def _check(label, B, S, H, A, mask=None, scale=1.0):
    query = torch.randn(B, H, generator=_g, dtype=torch.float64)
    keys = torch.randn(B, S, H, generator=_g, dtype=torch.float64)
    W_q = torch.randn(H, A, generator=_g, dtype=torch.float64) * scale
    W_k = torch.randn(H, A, generator=_g, dtype=torch.float64) * scale
    v = torch.randn(A, generator=_g, dtype=torch.float64) * scale
    args = [query, keys, mask, W_q, W_k, v]
    copies = [None if a is None else a.clone() for a in args]
    with reference_blocked(_ref.additive_attention):
        result = additive_attention(*copies)
    assert isinstance(result, tuple) and len(result) == 2, "additive_attention should return (context, weights)"
    context, weights = result
    expected_context, expected_weights = _oracle(*args)
    if torch.float32 in (getattr(context, "dtype", None), getattr(weights, "dtype", None)):
        _d.fail("attention-dtype-not-kept", f"context {context.dtype}, weights {weights.dtype}")
    assert weights.dtype == torch.float64 and context.dtype == torch.float64, (
        f"{label}: float64 inputs gave context {context.dtype} and weights {weights.dtype}; keep the inputs' dtype")
    _d.check(weights, expected_weights, name=f"weights, {label} (against a hand-written additive attention)",
             mistakes=_mistaken_weights(*args))
    _d.check(context, expected_context, name=f"context, {label} (against a hand-written additive attention)",
             mistakes={"attention-context-from-projected-keys": lambda: torch.einsum("bs,bsa->ba", expected_weights,
                                                                                      args[1] @ args[4])})
    if mask is not None:
        masked = weights[~mask]
        if bool((masked != 0).any()) and bool((masked.abs() < 1e-6).all()):
            _d.fail("attention-mask-fill-finite", f"masked weights up to {float(masked.abs().max()):.3g}")
        assert bool((masked == 0).all()), f"{label}: masked positions must get weight exactly 0"
    _names = ("query", "keys", "mask", "W_q", "W_k", "v")
    _d.unchanged("additive_attention", {n: c for n, c in zip(_names, copies) if c is not None},
                 {n: a for n, a in zip(_names, args) if a is not None})


_mask = torch.rand(4, 6, generator=_g) < 0.5
_mask[:, 0] = False
_mask[torch.arange(4), torch.tensor([1, 5, 3, 2])] = True  # every row keeps at least one real position
_mask[2] = False
_mask[2, 4] = True  # a row with a single real position, not the first
for _label, _sizes, _m, _scale in (
    ("no mask, B != S, H != A", (3, 5, 4, 6), None, 1.0),
    ("no mask, one source position", (2, 1, 3, 2), None, 1.0),
    ("a batch of one", (1, 4, 5, 3), None, 1.0),
    ("a random padding mask", (4, 6, 3, 5), _mask, 1.0),
    ("a right-padding mask", (3, 5, 2, 4), torch.arange(5) < torch.tensor([[5], [2], [1]]), 1.0),
    ("an all-True mask", (2, 3, 3, 3), torch.ones(2, 3, dtype=torch.bool), 1.0),
    ("large scores", (3, 4, 3, 4), torch.arange(4) < torch.tensor([[4], [3], [2]]), 4.0),
):
    _check(_label, *_sizes, mask=_m, scale=_scale)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2 — the decoder's input under teacher forcing (1 point)
#
# During training the decoder reads the **true** previous token at every step, not its own
# guess: at step `t` it reads `targets[:, t - 1]` and must predict `targets[:, t]`. At step 0
# there is no previous token, so it reads the start token `bos_id`. Return a new `(B, L)`
# LongTensor whose column 0 is `bos_id` and whose columns `1 … L−1` are `targets[:, :L−1]`
# (the last target is never read: nothing comes after it). Do not change `targets`.
#
# For example, with `bos_id = 1` the targets `[[5, 6, 2]]` (`2` the end token) give `[[1, 5, 6]]`.

# %% nbgrader={"grade": false, "grade_id": "shift_right", "locked": false, "schema_version": 3, "solution": true}
def shift_right(targets, bos_id):
    """targets LongTensor (B, L), bos_id int -> LongTensor (B, L)."""
    ### BEGIN SOLUTION
    shifted = torch.empty_like(targets)
    shifted[:, 0] = bos_id
    shifted[:, 1:] = targets[:, :-1]
    return shifted
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_shift_right", "locked": true, "points": 1, "schema_version": 3, "solution": false}
import torch

from course_lib.diagnosis import Diagnosis

_d = Diagnosis("a6_seq2seq", "shift_right")
_out = shift_right(torch.tensor([[5, 6, 2], [7, 2, 0]]), 1)
if isinstance(_out, torch.Tensor):
    _found = _d.recognise(_out, [[1, 5, 6], [1, 7, 2]], {
        "shift-keeps-last": [[1, 5, 6, 2], [1, 7, 2, 0]], "shift-wrong-direction": [[6, 2, 1], [2, 0, 1]],
        "shift-bos-overwrites-first": [[1, 6, 2], [1, 2, 0]]}, rtol=0, atol=0)
    if _found is not None:
        _d.fail(_found, f"got {_out.tolist()}")
assert isinstance(_out, torch.Tensor) and tuple(_out.shape) == (2, 3), "shift_right should return a (B, L) tensor"
assert _out.tolist() == [[1, 5, 6], [1, 7, 2]], f"shift_right([[5, 6, 2], [7, 2, 0]], 1) should be [[1, 5, 6], [1, 7, 2]], got {_out.tolist()}"
### BEGIN HIDDEN TESTS
import torch

import course_lib.torch_nn.seq2seq as _ref
from course_lib.diagnosis import Diagnosis
from course_lib.grading import reference_blocked

_d = Diagnosis("a6_seq2seq", "shift_right")
_g = torch.Generator().manual_seed(602)
for _B, _L, _bos in ((4, 7, 1), (1, 5, 3), (3, 1, 1), (2, 2, 0), (5, 3, 12)):
    _targets = torch.randint(0, 20, (_B, _L), generator=_g)
    _arg = _targets.clone()
    with reference_blocked(_ref.shift_right):
        _out = shift_right(_arg, _bos)
    if not torch.equal(_arg, _targets):
        _d.fail("changed-argument-in-place", "shift_right changed its targets")
    _expected = [[_bos] + row[:-1] for row in _targets.tolist()]
    if isinstance(_out, torch.Tensor) and _out.dtype != torch.long and _out.tolist() == _expected:
        _d.fail("shift-not-long", f"got {_out.dtype}")
    if isinstance(_out, torch.Tensor) and _out.tolist() != _expected:
        _rows = _targets.tolist()
        _found = _d.recognise(_out, _expected, {"shift-wrong-direction": [r[1:] + [_bos] for r in _rows],
                                                "shift-keeps-last": [[_bos] + r for r in _rows],
                                                "shift-bos-overwrites-first": [[_bos] + r[1:] for r in _rows]},
                              rtol=0, atol=0)
        if _found is not None:
            _d.fail(_found, f"B={_B}, L={_L}, bos_id={_bos}")
    assert isinstance(_out, torch.Tensor) and _out.dtype == torch.long, (
        f"shift_right should return a torch.long tensor, got {getattr(_out, 'dtype', type(_out).__name__)}")
    assert _out.tolist() == _expected, (
        f"shift_right(targets of shape ({_B}, {_L}), bos_id={_bos}) should be {_expected}, got {_out.tolist()}")
    _out[:] = -1  # the result must be a tensor of its own, not a view of the targets
    assert torch.equal(_arg, _targets), "changing the result of shift_right changed the targets: return a new tensor"
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 3 — the loss over padded targets (2 points)
#
# A batch of targets of different lengths is right-padded with `pad_id`. The loss is the mean
# cross-entropy over the **real** target positions only:
#
# $$\mathcal{L} = -\frac{1}{\#\{(b, t) : y_{bt} \neq \text{pad}\}} \sum_{(b, t):\, y_{bt} \ne \text{pad}}
# \log \operatorname{softmax}(\text{logits}_{bt})_{y_{bt}}.$$
#
# Every real token counts once, whatever the length of its sentence (this is not the mean of
# per-sentence means). Return a scalar tensor (0-dimensional) that backpropagates into `logits`;
# compute the log-softmax in a numerically stable way (`F.log_softmax` or `F.cross_entropy`,
# never `torch.log` of a softmax, which gives `-inf` once a probability underflows to 0).
# Do not change `logits` or `targets`.

# %% nbgrader={"grade": false, "grade_id": "sequence_loss", "locked": false, "schema_version": 3, "solution": true}
def sequence_loss(logits, targets, pad_id):
    """logits (B, L, V), targets LongTensor (B, L), pad_id int -> scalar tensor."""
    ### BEGIN SOLUTION
    log_probs = F.log_softmax(logits, dim=-1)
    real = targets != pad_id
    picked = log_probs[real].gather(1, targets[real][:, None])  # (number of real tokens, 1)
    return -picked.mean()
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_sequence_loss", "locked": true, "points": 2, "schema_version": 3, "solution": false}
import math

import torch

from course_lib.grading import assert_close

from course_lib.diagnosis import Diagnosis

_d = Diagnosis("a6_seq2seq", "sequence_loss")
# uniform logits: every real token costs log V; the padding (0) must not count
_loss = sequence_loss(torch.zeros(2, 3, 4), torch.tensor([[1, 2, 3], [1, 0, 0]]), 0)
if isinstance(_loss, torch.Tensor) and _loss.dim() > 0 and _loss.numel() == 1:
    _d.fail("loss-not-scalar", f"got shape {tuple(_loss.shape)}")
assert isinstance(_loss, torch.Tensor) and _loss.dim() == 0, "sequence_loss should return a scalar (0-dimensional) tensor"
_d.check(_loss, math.log(4), name="the loss of uniform logits (log V)", rtol=1e-5, atol=1e-6,
         mistakes={"loss-summed": 4 * math.log(4), "loss-per-sentence-sum": 2 * math.log(4),
                   "loss-sign": -math.log(4)})
_logits = torch.tensor([[[2.0, 0.0], [0.0, 0.0]]])
_loss = sequence_loss(_logits, torch.tensor([[0, 1]]), 1)  # pad_id = 1: only the first position counts
_d.check(_loss, math.log(1 + math.exp(-2.0)), name="the loss with pad_id = 1 (only position 0 is real)",
         rtol=1e-5, atol=1e-6, mistakes={  # the padding counted: (log(1 + e^-2) + log 2) / 2; only id 1 counted: log 2
             "loss-pad-not-ignored": (math.log(1 + math.exp(-2.0)) + math.log(2)) / 2,
             "loss-pad-id-hardcoded": math.log(2)})
### BEGIN HIDDEN TESTS
import torch
import torch.nn.functional as F

import course_lib.torch_nn.seq2seq as _ref
from course_lib.diagnosis import Diagnosis
from course_lib.gradient_probes import input_gradients
from course_lib.grading import assert_close, reference_blocked

_d = Diagnosis("a6_seq2seq", "sequence_loss")
_g = torch.Generator().manual_seed(603)


def _oracle(logits, targets, pad_id):
    """torch's cross-entropy with ignore_index, and its gradient with respect to the logits."""
    leaf = logits.detach().clone().requires_grad_(True)
    loss = F.cross_entropy(leaf.reshape(-1, leaf.shape[-1]), targets.reshape(-1), ignore_index=pad_id)
    loss.backward()
    return loss.detach(), leaf.grad


def _mistaken_losses(logits, targets, pad_id):
    """The losses sequence_loss gives with one common mistake each (to name it when yours equals one)."""
    B, L, V = logits.shape
    real = (targets != pad_id).to(logits.dtype)

    def nll(log_probs):
        return -log_probs.gather(-1, targets[..., None])[..., 0]  # (B, L), the padding included

    right = nll(F.log_softmax(logits, dim=-1))
    logged = nll(torch.log(torch.softmax(logits, dim=-1)))
    return {
        "loss-pad-not-ignored": lambda: right.mean(),
        "loss-pad-id-hardcoded": lambda: right[targets != 0].mean(),
        "loss-summed": lambda: (right * real).sum(),
        "loss-per-sentence-sum": lambda: (right * real).sum() / B,
        "loss-mean-of-sentence-means": lambda: ((right * real).sum(1) / real.sum(1)).mean(),
        "loss-log-softmax-wrong-axis": lambda: (nll(F.log_softmax(logits, dim=1)) * real).sum() / real.sum(),
        "loss-sign": lambda: -(right * real).sum() / real.sum(),
        "loss-log-of-softmax/indexed": lambda: logged[real.bool()].mean(),
        "loss-log-of-softmax/multiplied": lambda: (logged * real).sum() / real.sum(),
    }


def _check(label, logits, targets, pad_id):
    args = (logits.clone(), targets.clone(), pad_id)
    with reference_blocked(_ref.sequence_loss):
        loss, (grad,) = input_gradients(sequence_loss, args, wrt=(0,))
        plain = sequence_loss(*args)
    _d.unchanged("sequence_loss", {"logits": args[0], "targets": args[1]}, {"logits": logits, "targets": targets})
    if isinstance(plain, torch.Tensor) and plain.dim() > 0 and plain.numel() == 1:
        _d.fail("loss-not-scalar", f"got shape {tuple(plain.shape)}")
    assert isinstance(plain, torch.Tensor) and plain.dim() == 0, f"{label}: return a scalar (0-dimensional) tensor"
    expected, expected_grad = _oracle(logits, targets, pad_id)
    assert plain.dtype == logits.dtype, f"{label}: {logits.dtype} logits gave a {plain.dtype} loss; keep the dtype"
    tol = {} if logits.dtype == torch.float64 else {"rtol": 1e-5, "atol": 1e-6}  # float32: sums in any order
    _d.check(plain, expected, name=f"the loss, {label} (against F.cross_entropy with ignore_index=pad_id)",
             mistakes=_mistaken_losses(logits, targets, pad_id), **tol)
    if grad is None:
        _d.fail("loss-detached")
    assert grad is not None, f"{label}: no gradient reaches the logits (no .detach(), .item() or NumPy inside)"
    assert_close(grad, expected_grad, name=f"the gradient of the loss with respect to the logits, {label}", **tol)


_B, _L, _V = 4, 6, 7
_logits = torch.randn(_B, _L, _V, generator=_g, dtype=torch.float64) * 2
_targets = torch.randint(3, _V, (_B, _L), generator=_g)
_lengths = torch.tensor([6, 3, 1, 4])
_big = torch.randn(3, 5, 6, generator=_g) * 60  # confident: some real target's probability underflows in float32
for _label, _lg, _tg, _pad in (
    ("right padding with pad_id 0, rows of different lengths", _logits,
     _targets.masked_fill(torch.arange(_L) >= _lengths[:, None], 0), 0),
    ("pad_id 5, padding anywhere", _logits, torch.where(torch.rand(_B, _L, generator=_g) < 0.3, 5, _targets), 5),
    ("no padding at all", _logits, _targets, 0),
    ("a batch of one", _logits[:1, :4], _targets[:1, :4].masked_fill(torch.arange(4) >= 2, 2), 2),
    ("large float32 logits (use a stable log-softmax)", _big,
     torch.randint(1, 6, (3, 5), generator=_g).masked_fill(torch.arange(5) >= torch.tensor([[5], [2], [4]]), 0), 0),
):
    _check(_label, _lg, _tg, _pad)
### END HIDDEN TESTS

# %% [markdown]
# ## Decoding with a `step` function
#
# A trained decoder produces its output one token at a time. To keep decoding separate from any
# particular network, your two decoders see the model only through a function
#
# ```python
# log_probs, new_state = step(token, state)
# ```
#
# that feeds one token (an `int`) to the decoder in `state` and returns the log-probabilities of
# the **next** token, a float tensor of shape `(V,)`, and the decoder's state after reading
# `token`. Decoding starts by feeding `bos_id` with the `state` you are given. A `step` never
# changes the `state` it receives, so you may extend the same state several times (beam search
# needs that); treat states as opaque values: keep them and pass them back, never build or
# modify one yourself.
#
# The grader's `step` functions are small made-up models (tables of log-probabilities, and a
# small GRU); they record every call you make.

# %% [markdown]
# ## Exercise 4 — greedy decoding (2 points)
#
# Feed `bos_id`, take the most likely next token (`argmax` of `log_probs`), feed it, and so on.
# Stop right after choosing `eos_id` (it is part of the result, and it is never fed back), or
# once `max_len` tokens have been chosen. Return the chosen tokens as a list of `int`s
# (`bos_id`, which you fed first, is not one of them).

# %% nbgrader={"grade": false, "grade_id": "greedy_decode", "locked": false, "schema_version": 3, "solution": true}
def greedy_decode(step, state, bos_id, eos_id, max_len):
    """-> list of int: the chosen tokens, ending with eos_id if it was chosen."""
    ### BEGIN SOLUTION
    out = []
    token = bos_id
    while len(out) < max_len:
        log_probs, state = step(token, state)
        token = int(torch.argmax(log_probs))
        out.append(token)
        if token == eos_id:
            break
    return out
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_greedy_decode", "locked": true, "points": 2, "schema_version": 3, "solution": false}
import torch

# A made-up model over V = 4 tokens (0 = bos, 1 = eos): it likes 2 first, then 3, then eos.
_favourite = {0: 2, 1: 3, 2: 1}  # number of tokens fed so far -> most likely next token


def _step(token, state):
    probs = torch.full((4,), 0.1)
    probs[_favourite.get(state, 1)] = 0.7
    return probs.log(), state + 1


from course_lib.diagnosis import Diagnosis

_d = Diagnosis("a6_seq2seq", "greedy_decode")
_got = greedy_decode(_step, 0, 0, 1, 10)
if isinstance(_got, list) and _got != [2, 3, 1]:
    # eos left out; bos returned; eos not stopping (after it, the made-up model keeps liking eos);
    # the first state given to every step (the model then always likes 2)
    _found = {"greedy-drops-eos": [2, 3], "greedy-keeps-bos": [0, 2, 3, 1], "greedy-ignores-eos": [2, 3] + [1] * 8,
              "greedy-state-not-carried": [2] * 10}
    _found = [_m for _m, _tokens in _found.items() if _tokens == _got]
    if _found:
        _d.fail(_found[0], f"got {_got}")
assert greedy_decode(_step, 0, 0, 1, 10) == [2, 3, 1], (
    f"greedy_decode should return [2, 3, 1] (eos included), got {greedy_decode(_step, 0, 0, 1, 10)}")
if greedy_decode(_step, 0, 0, 1, 2) in ([2], [2, 3, 1]):
    _d.fail("greedy-max-len-off-by-one", f"max_len = 2 gave {greedy_decode(_step, 0, 0, 1, 2)}")
assert greedy_decode(_step, 0, 0, 1, 2) == [2, 3], "with max_len = 2, greedy_decode should stop after two tokens"
### BEGIN HIDDEN TESTS
import zlib

import torch

import course_lib.torch_nn.seq2seq as _ref
from course_lib.diagnosis import FAILURES, Diagnosis
from course_lib.grading import reference_blocked

_d = Diagnosis("a6_seq2seq", "greedy_decode")


class _Table:
    """A made-up decoder: the log-probabilities after a prefix are a fixed random function of it.

    A state is (nonce, tokens fed so far...); every call is recorded as (token, state)."""

    def __init__(self, V, seed, eos_id, eos_bias):
        self.V, self.seed, self.eos_id, self.eos_bias = V, seed, eos_id, eos_bias
        self.nonce = 1000 + seed
        self.calls, self.issued = [], {(self.nonce,)}

    def log_probs(self, fed):
        g = torch.Generator().manual_seed(zlib.crc32(repr((self.seed, fed)).encode()))
        logits = torch.randn(self.V, generator=g, dtype=torch.float64) * 2
        logits[self.eos_id] += self.eos_bias(len(fed))
        return torch.log_softmax(logits, dim=0)

    def __call__(self, token, state):
        token, state = int(token), tuple(int(x) for x in state)
        self.calls.append((token, state))
        if state not in self.issued:
            raise ValueError("step was given a state it never returned")
        new = (*state, token)
        self.issued.add(new)
        return self.log_probs(new[1:]), new


def _greedy_oracle(table, bos, max_len, mistake=None):
    """Greedy decoding straight from the table; with ``mistake``, what a common mistake returns."""
    limit = {"greedy-max-len-off-by-one/short": max_len - 1,
             "greedy-max-len-off-by-one/long": max_len + 1}.get(mistake, max_len)
    fed, out = (bos,), []
    while len(out) < limit:
        # with the state not carried, every step is given the first state: it sees the last token only
        token = int(table.log_probs(fed[-1:] if mistake == "greedy-state-not-carried" else fed).argmax())
        out.append(token)
        if token == table.eos_id and mistake != "greedy-ignores-eos":
            break
        fed = (*fed, token)
    if mistake == "greedy-drops-eos" and out and out[-1] == table.eos_id:
        out = out[:-1]
    return [bos] + out if mistake == "greedy-keeps-bos" else out


_GREEDY_MISTAKES = ("greedy-max-len-off-by-one/short", "greedy-max-len-off-by-one/long", "greedy-state-not-carried",
                    "greedy-ignores-eos", "greedy-drops-eos", "greedy-keeps-bos")


def _name_over_cases(cases, run, oracle, mistakes, detail):
    """After ``cases[0]`` failed: fail with the one mistake (of ``mistakes``; "id/variant" keys)
    whose oracle gives your result there (and not the right one) and on as many cases after it as
    it takes to tell the mistakes apart; do nothing if none or several remain. ``run(case)`` is
    your result, ``oracle(case, mistake)`` the result with that mistake (None: the right one)."""
    alive = None
    for case in cases:
        try:
            got = run(case)
        except FAILURES:
            return
        expected = oracle(case, None)
        results = {}
        for m in mistakes if alive is None else alive:
            try:
                results[m] = oracle(case, m)
            except FAILURES:  # a mistaken oracle that cannot run here recognises nothing
                results[m] = None
        alive = {m for m, r in results.items() if r == got and (alive is not None or r != expected)}
        if len({m.split("/")[0] for m in alive}) <= 1:
            break
    names = {m.split("/")[0] for m in alive or ()}
    if len(names) == 1:
        _d.fail(names.pop(), detail)


def _tokens(result, label):
    assert isinstance(result, (list, tuple)), f"{label}: return a list of ints, got {type(result).__name__}"
    out = []
    for x in result:
        if isinstance(x, torch.Tensor) and x.numel() == 1 and not x.is_floating_point():
            x = int(x)
        assert isinstance(x, int) and not isinstance(x, bool), f"{label}: return a list of ints, found {x!r}"
        out.append(x)
    return out


_cases = [  # V, seed, bos, eos, max_len, eos bias as a function of the number of tokens fed
    (5, 1, 0, 1, 6, lambda n: 0.0), (6, 2, 3, 0, 8, lambda n: 1.5 * n - 4), (4, 3, 0, 3, 1, lambda n: 0.0),
    (5, 4, 2, 4, 5, lambda n: 9.0), (5, 5, 0, 1, 7, lambda n: -30.0), (7, 6, 6, 2, 9, lambda n: n - 3.0),
]
_cases += [(5, seed, 0, 1, 7, lambda n: 0.8 * n - 2) for seed in range(10, 20)]


def _greedy_run(case):
    V, seed, bos, eos, max_len, bias = case
    table = _Table(V, seed, eos, bias)
    with reference_blocked(_ref.greedy_decode, _ref.beam_search):
        return _tokens(greedy_decode(table, (table.nonce,), bos, eos, max_len), f"table {seed}")


def _greedy_with(case, mistake):
    V, seed, bos, eos, max_len, bias = case
    return _greedy_oracle(_Table(V, seed, eos, bias), bos, max_len, mistake)


_seen = set()
for _i, (_V, _seed, _bos, _eos, _max_len, _bias) in enumerate(_cases):
    _table = _Table(_V, _seed, _eos, _bias)
    _label = f"V={_V}, bos={_bos}, eos={_eos}, max_len={_max_len} (table {_seed})"
    try:
        with reference_blocked(_ref.greedy_decode, _ref.beam_search):
            _result = greedy_decode(_table, (_table.nonce,), _bos, _eos, _max_len)
    except ValueError as _error:
        if "never returned" in str(_error):
            raise AssertionError(f"{_label}: pass step the state it returned last, unchanged") from None
        raise
    _result = _tokens(_result, _label)
    _expected = _greedy_oracle(_table, _bos, _max_len)
    _seen.add("eos" if _expected[-1] == _eos else "max_len")
    if _result != _expected:
        _name_over_cases(_cases[_i:], _greedy_run, _greedy_with, _GREEDY_MISTAKES, f"table {_seed}")
        if sum(_s == (_table.nonce,) for _, _s in _table.calls) > 1:
            _d.fail("greedy-state-not-carried", f"table {_seed}")
    assert _result == _expected, f"{_label}: greedy_decode returned {_result}, expected {_expected}"
    # fed: bos_id, then every chosen token but the last (eos_id is never fed; after max_len tokens
    # feeding the last one is pointless, but harmless)
    _fed = [_t for _t, _ in _table.calls]
    _want = [_bos] + _expected[:-1]
    if _expected[-1] == _eos and _fed == _want + [_eos]:
        _d.fail("greedy-feeds-eos", f"table {_seed}")
    assert _fed == _want or (_expected[-1] != _eos and _fed == _want + _expected[-1:]), (
        f"{_label}: step should be fed bos_id, then each chosen token except a final eos_id: expected the "
        f"tokens {_want}, got {_fed}")
    _state = (_table.nonce,)
    for (_t, _s) in _table.calls:
        if _s != _state and _s == (_table.nonce,):
            _d.fail("greedy-state-not-carried", f"table {_seed}")
        assert _s == _state, f"{_label}: each call should pass the state returned by the previous call"
        _state = (*_s, _t)
assert _seen == {"eos", "max_len"}, "the cases should stop both ways"  # the test's own sanity check

# a real (tiny) GRU decoder whose state is a tensor
torch.manual_seed(604)
_embed, _cell, _head = torch.nn.Embedding(6, 3).double(), torch.nn.GRUCell(3, 4).double(), torch.nn.Linear(4, 6).double()
_gru_calls = []


def _gru_step(token, h):
    _gru_calls.append(int(token))
    with torch.no_grad():
        h = _cell(_embed(torch.tensor([int(token)])), h)
        return torch.log_softmax(_head(h)[0], dim=0), h


_h0 = torch.randn(1, 4, generator=torch.Generator().manual_seed(605), dtype=torch.float64)
_expected, _h, _tok = [], _h0, 0
while len(_expected) < 8:
    _lp, _h = _gru_step(_tok, _h)
    _tok = int(_lp.argmax())
    _expected.append(_tok)
    if _tok == 1:
        break
_gru_calls.clear()
with reference_blocked(_ref.greedy_decode, _ref.beam_search):
    _result = _tokens(greedy_decode(_gru_step, _h0.clone(), 0, 1, 8), "a GRU decoder")
assert _result == _expected, f"a GRU decoder (tensor states): greedy_decode returned {_result}, expected {_expected}"
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 5 — beam search (4 points)
#
# Greedy decoding commits to the best token at every step, even when a slightly worse token
# would lead to a much better sentence. Beam search keeps the `beam_size` best partial outputs
# (*prefixes*) instead of one. A prefix's score is the sum of its tokens' log-probabilities
# (no length normalisation).
#
# - The beam starts as one live prefix: empty, score 0, with the `state` you are given; its
#   first `step` call feeds `bos_id`.
# - Each **round**, every live prefix is extended by **every** token (its score plus that
#   token's log-probability), and the `beam_size` best extensions **of the whole round** survive
#   (not the best few of each prefix; all of them if the round has fewer than `beam_size`).
# - A survivor that ends in `eos_id` is **finished**: it leaves the beam and is never extended.
#   The others stay live. A prefix that finishes takes its slot only in the round it finishes:
#   the next round again keeps `beam_size` extensions of the live prefixes.
# - Stop when no live prefix is left or after `max_len` rounds. Return the best-scoring
#   finished prefix, or the best live one if none finished, as a list of `int`s like
#   `greedy_decode` (`eos_id` included if it ends there, `bos_id` not).
#
# With `beam_size = 1` this is greedy decoding.

# %% nbgrader={"grade": false, "grade_id": "beam_search", "locked": false, "schema_version": 3, "solution": true}
def beam_search(step, state, bos_id, eos_id, beam_size, max_len):
    """-> list of int: the best finished prefix (or the best live one if none finished)."""
    ### BEGIN SOLUTION
    live = [([], 0.0, state)]  # (tokens, score, state of the decoder that has read them)
    finished = []
    for _ in range(max_len):
        if not live:
            break
        candidates = []
        for tokens, score, prefix_state in live:
            log_probs, next_state = step(tokens[-1] if tokens else bos_id, prefix_state)
            for token in range(log_probs.shape[0]):
                candidates.append((tokens + [token], score + float(log_probs[token]), next_state))
        candidates.sort(key=lambda c: -c[1])
        live = []
        for tokens, score, next_state in candidates[:beam_size]:
            if tokens[-1] == eos_id:
                finished.append((tokens, score))
            else:
                live.append((tokens, score, next_state))
    best = max(finished or [(t, s) for t, s, _ in live], key=lambda c: c[1])
    return best[0]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_beam_search", "locked": true, "points": 4, "schema_version": 3, "solution": false}
import math

import torch

# V = 4 tokens (0 = bos, 1 = eos, 2 = "a", 3 = "b"); the probabilities after each prefix:
_after = {(): [0.0, 0.0, 0.55, 0.45], (2,): [0.0, 0.4, 0.3, 0.3], (3,): [0.0, 0.9, 0.05, 0.05]}


def _step(token, state):
    state = state + ((token,) if token != 0 else ())
    probs = torch.tensor(_after.get(state, [0.0, 1.0, 0.0, 0.0])) + 1e-3  # every token possible
    return (probs / probs.sum()).log(), state


# greedy takes "a" (0.55), then eos (0.4): probability 0.22; "b" then eos has 0.45 * 0.9 = 0.405
_result = beam_search(_step, (), 0, 1, 2, 5)
assert list(_result) == [3, 1], f"beam_search with beam_size 2 should return [3, 1] (\"b\", eos), got {_result}"
_result = beam_search(_step, (), 0, 1, 1, 5)
assert list(_result) == [2, 1], f"beam_size = 1 should give greedy decoding's answer [2, 1], got {_result}"
### BEGIN HIDDEN TESTS
import itertools
import zlib

import torch

import course_lib.torch_nn.seq2seq as _ref
from course_lib.diagnosis import FAILURES, Diagnosis
from course_lib.grading import reference_blocked

_d = Diagnosis("a6_seq2seq", "beam_search")
_MARGIN = 1e-4  # cases whose decisions hinge on smaller score gaps are skipped (float32 sums stay exact)


class _Table:
    """A made-up decoder: the log-probabilities after a prefix are a fixed random function of it.

    A state is (nonce, tokens fed so far...); every call is recorded as (token, state)."""

    def __init__(self, V, seed, eos_id, eos_bias):
        self.V, self.seed, self.eos_id, self.eos_bias = V, seed, eos_id, eos_bias
        self.nonce = 2000 + seed
        self.calls, self.issued = [], {(self.nonce,)}

    def log_probs(self, fed):
        g = torch.Generator().manual_seed(zlib.crc32(repr((self.seed, fed)).encode()))
        logits = torch.randn(self.V, generator=g, dtype=torch.float64) * 2
        logits[self.eos_id] += self.eos_bias(len(fed))
        return torch.log_softmax(logits, dim=0)

    def __call__(self, token, state):
        token, state = int(token), tuple(int(x) for x in state)
        self.calls.append((token, state))
        if state not in self.issued:
            raise ValueError("step was given a state it never returned")
        new = (*state, token)
        self.issued.add(new)
        return self.log_probs(new[1:]), new


def _beam_oracle(table, bos, beam_size, max_len):
    """The contract's beam search, straight from the table. Returns (answer, live prefixes of
    each round, smallest score gap any decision depended on)."""
    live, finished, rounds, gap = {(): 0.0}, {}, [], math.inf
    for _ in range(max_len):
        if not live:
            break
        rounds.append(set(live))
        scored = {}
        for prefix, score in live.items():
            log_probs = table.log_probs((bos, *prefix)).tolist()
            for token in range(table.V):
                scored[(*prefix, token)] = score + log_probs[token]
        ranked = sorted(scored.values(), reverse=True)
        if len(ranked) > beam_size:
            gap = min(gap, ranked[beam_size - 1] - ranked[beam_size])
        keep = sorted(scored, key=scored.get, reverse=True)[:beam_size]
        finished.update({p: scored[p] for p in keep if p[-1] == table.eos_id})
        live = {p: scored[p] for p in keep if p[-1] != table.eos_id}
    pool = finished or live
    ranked = sorted(pool.values(), reverse=True)
    if len(ranked) > 1:
        gap = min(gap, ranked[0] - ranked[1])
    return list(max(pool, key=pool.get)), rounds, gap


def _beam_with(table, bos, beam_size, max_len, mistake):
    """What beam search returns with one common mistake (a catalogue id, "/variant" for one of
    several ways to make it), and the live prefixes each of its rounds extends."""
    eos, rounds = table.eos_id, []
    n_rounds = {"beam-max-len-off-by-one/long": max_len + 1, "beam-max-len-off-by-one/short": max_len - 1}
    live, finished = [((), 0.0)], []
    for _ in range(n_rounds.get(mistake, max_len)):
        if not live:
            break
        rounds.append({prefix for prefix, _ in live})
        scored = []
        for prefix, score in live:
            # a stale state: the decoder only ever reads the last token, fed to the first state
            fed = prefix[-1:] if mistake == "beam-parent-state" and prefix else (bos, *prefix)
            log_probs = table.log_probs(fed).tolist()
            base = 0.0 if mistake == "beam-score-not-accumulated" else score
            extensions = [((*prefix, t), base + log_probs[t]) for t in range(table.V)]
            if mistake == "beam-topk-per-prefix":
                extensions = sorted(extensions, key=lambda e: e[1], reverse=True)[:beam_size]
            scored += extensions
        if mistake == "beam-topk-per-prefix":
            keep = scored
        else:
            width = beam_size - len(finished) if mistake == "beam-narrows" else beam_size
            keep = sorted(scored, key=lambda e: e[1], reverse=mistake != "beam-sorts-ascending")[:width]
        if mistake == "beam-extends-finished":
            live = keep  # nothing leaves the beam; the answer is cut after its first eos_id
            continue
        finished += [e for e in keep if e[0][-1] == eos]
        live = [e for e in keep if e[0][-1] != eos]
    if mistake == "beam-extends-finished":
        pool = [(p[:p.index(eos) + 1], s) for p, s in live if eos in p] or live
    else:
        pool = finished + live if mistake == "beam-live-compete-at-end" else finished or live
    by = (lambda e: e[1] / len(e[0])) if mistake == "beam-length-normalised" else (lambda e: e[1])
    return list(max(pool, key=by)[0]), rounds


_BEAM_MISTAKES = ("beam-max-len-off-by-one/long", "beam-max-len-off-by-one/short", "beam-parent-state",
                  "beam-score-not-accumulated", "beam-topk-per-prefix", "beam-narrows", "beam-sorts-ascending",
                  "beam-extends-finished", "beam-live-compete-at-end", "beam-length-normalised")


def _name_over_cases(cases, run, oracle, mistakes, detail):
    """After ``cases[0]`` failed: fail with the one mistake (of ``mistakes``; "id/variant" keys)
    whose oracle gives your result there (and not the right one) and on as many cases after it as
    it takes to tell the mistakes apart; do nothing if none or several remain. ``run(case)`` is
    your result, ``oracle(case, mistake)`` the result with that mistake (None: the right one)."""
    alive = None
    for case in cases:
        try:
            got = run(case)
        except FAILURES:
            return
        expected = oracle(case, None)
        results = {}
        for m in mistakes if alive is None else alive:
            try:
                results[m] = oracle(case, m)
            except FAILURES:  # a mistaken oracle that cannot run here recognises nothing
                results[m] = None
        alive = {m for m, r in results.items() if r == got and (alive is not None or r != expected)}
        if len({m.split("/")[0] for m in alive}) <= 1:
            break
    names = {m.split("/")[0] for m in alive or ()}
    if len(names) == 1:
        _d.fail(names.pop(), detail)


def _beam_run(case):
    V, seed, bos, eos, beam_size, max_len, bias = case
    table = _Table(V, seed, eos, bias)
    with reference_blocked(_ref.beam_search, _ref.greedy_decode):
        return _tokens(beam_search(table, (table.nonce,), bos, eos, beam_size, max_len), f"table {seed}")


def _beam_case(case, mistake):
    V, seed, bos, eos, beam_size, max_len, bias = case
    table = _Table(V, seed, eos, bias)
    if mistake is None:
        return _beam_oracle(table, bos, beam_size, max_len)[0]
    return _beam_with(table, bos, beam_size, max_len, mistake)[0]


def _name_from_calls(table, bos, label):
    """Name a mistake the step calls show by themselves: eos_id fed, or the first state reused."""
    for token, state in table.calls:
        if (*state[1:], token)[0] == bos and table.eos_id in (*state[1:], token):
            _d.fail("beam-extends-finished", label)
    if sum(state == (table.nonce,) for _, state in table.calls) > 1:
        _d.fail("beam-parent-state", label)


def _exhaustive(table, bos, max_len):
    """The best sequence ending in eos within max_len tokens, by trying every one."""
    best, best_score = None, -math.inf
    for n in range(1, max_len + 1):
        for body in itertools.product([t for t in range(table.V) if t != table.eos_id], repeat=n - 1):
            seq = (*body, table.eos_id)
            score = sum(float(table.log_probs((bos, *seq[:i]))[seq[i]]) for i in range(n))
            if score > best_score:
                best, best_score = list(seq), score
    return best


def _tokens(result, label):
    assert isinstance(result, (list, tuple)), f"{label}: return a list of ints, got {type(result).__name__}"
    out = []
    for x in result:
        if isinstance(x, torch.Tensor) and x.numel() == 1 and not x.is_floating_point():
            x = int(x)
        assert isinstance(x, int) and not isinstance(x, bool), f"{label}: return a list of ints, found {x!r}"
        out.append(x)
    return out


def _run(table, bos, beam_size, max_len, label):
    try:
        with reference_blocked(_ref.beam_search, _ref.greedy_decode):
            result = beam_search(table, (table.nonce,), bos, table.eos_id, beam_size, max_len)
    except ValueError as error:
        if "never returned" in str(error):
            raise AssertionError(f"{label}: extend each prefix with the state that step returned for it, "
                                 "unchanged") from None
        raise
    return _tokens(result, label)


def _check_calls(table, bos, rounds, label, beam_size, max_len):
    """Every call extends a live prefix of its round; a round extends all its live prefixes, or
    the search has stopped."""
    extended = {}
    try:
        for token, state in table.calls:
            fed = (*state[1:], token)
            assert fed[0] == bos and table.eos_id not in fed, (
                f"{label}: step was fed {list(fed)}: feed bos_id first, and never extend a finished prefix (eos_id)")
            extended.setdefault(len(fed), set()).add(fed[1:])
        for r, expected in enumerate(rounds, start=1):
            got = extended.get(r, set())
            if got != expected and (got or any(extended.get(k) for k in range(r + 1, len(rounds) + 2))):
                raise AssertionError(
                    f"{label}: in round {r} the live prefixes should be {sorted(map(list, expected))}, "
                    f"but step extended {sorted(map(list, got))} (keep the beam_size best extensions of the whole "
                    "round; finished prefixes leave the beam, the live ones keep beam_size slots)")
        assert not set(extended) - set(range(1, len(rounds) + 1)), (
            f"{label}: more rounds than max_len or after the beam emptied")
    except AssertionError:
        _name_from_calls(table, bos, f"table {table.seed}")
        got_rounds = [extended.get(r, set()) for r in range(1, max(extended, default=0) + 1)]
        found = set()
        for m in _BEAM_MISTAKES:  # the mistakes whose beams extend exactly the prefixes yours did
            try:
                mistaken_rounds = _beam_with(table, bos, beam_size, max_len, m)[1]
            except FAILURES:
                continue
            if mistaken_rounds != rounds and mistaken_rounds == got_rounds:
                found.add(m.split("/")[0])
        if len(found) == 1:
            _d.fail(found.pop(), f"table {table.seed}, the prefixes extended")
        raise


_cases = []  # V, seed, bos, eos, beam_size, max_len, eos bias
for _seed in range(40):
    _cases.append((5, _seed, 0, 1, 2 + _seed % 3, 4 + _seed % 3, lambda n: 0.7 * n - 2.5))
_cases += [
    (4, 100, 3, 0, 2, 5, lambda n: 6.0 if n == 1 else -1.0),   # eos likely right away: an early finish
    (5, 101, 0, 1, 3, 5, lambda n: -30.0),                       # no eos within max_len: the best live prefix
    (6, 102, 5, 2, 4, 4, lambda n: 2.0 * (n % 2)),
    (5, 103, 0, 4, 3, 1, lambda n: 0.0),                         # one round
    (3, 104, 0, 1, 1, 6, lambda n: 0.5 * n - 1),                 # beam_size 1: greedy
]
_disagree, _checked = 0, 0
for _i, (_V, _seed, _bos, _eos, _k, _max_len, _bias) in enumerate(_cases):
    _table = _Table(_V, _seed, _eos, _bias)
    _expected, _rounds, _gap = _beam_oracle(_table, _bos, _k, _max_len)
    if _gap < _MARGIN:
        continue
    _label = f"V={_V}, bos={_bos}, eos={_eos}, beam_size={_k}, max_len={_max_len} (table {_seed})"
    _result = _run(_table, _bos, _k, _max_len, _label)
    if _result != _expected:
        _name_over_cases(_cases[_i:], _beam_run, _beam_case, _BEAM_MISTAKES, f"table {_seed}")
        _name_from_calls(_table, _bos, f"table {_seed}")
    assert _result == _expected, f"{_label}: beam_search returned {_result}, expected {_expected}"
    _check_calls(_table, _bos, _rounds, _label, _k, _max_len)
    _greedy, _, _ = _beam_oracle(_table, _bos, 1, _max_len)
    _disagree += _greedy != _expected
    _checked += 1
assert _checked >= 35 and _disagree >= 3, (_checked, _disagree)  # the test's own sanity check
# a beam wide enough to keep everything finds the best sequence that an exhaustive search finds
for _seed in (200, 201, 202):
    _table = _Table(3, _seed, 1, lambda n: 0.4 * n - 1)
    _label = f"beam_size 3^4 over V=3, max_len=4 (table {_seed})"
    _result = _run(_table, 0, 3**4, 4, _label)
    _best = _exhaustive(_table, 0, 4)
    assert _result == _best, f"{_label}: beam_search returned {_result}; the best finished sequence is {_best}"
### END HIDDEN TESTS

# %% [markdown]
# ## Putting it together — numbers in Korean words (not graded)
#
# Chapter 9's task, made small: numbers of up to six digits (`12,000`) and their Korean
# readings (`만 이천`). The model is the chapter's GRU encoder–decoder with Bahdanau attention,
# but every piece you wrote is in it: it attends with **your** `additive_attention`, trains on
# **your** `shift_right` and `sequence_loss`, and translates with **your** `greedy_decode` and
# `beam_search`. Training takes well under a minute on a laptop's CPU. (This cell does nothing
# while the notebook is graded or validated.)

# %% nbgrader={"grade": false, "grade_id": "demo", "locked": true, "schema_version": 3, "solution": false}
import time

import torch

from course_lib.data.translation import BOS_ID, EOS_ID, PAD_ID, numbers_to_korean
from course_lib.grading import in_autograder
from course_lib.torch_nn.seq2seq_rnn import Seq2SeqGRU
from course_lib.training.seq2seq import batch_stream, encode_split

if not in_autograder():
    # one thread: for a model this small a second thread gains little, and on a busy machine
    # two threads per process can be many times slower than one
    torch.set_num_threads(1)
    task = numbers_to_korean(sizes=(6000, 200, 200), max_digits=6)
    torch.manual_seed(0)
    model = Seq2SeqGRU(len(task.source_vocab), len(task.target_vocab), embed_dim=16, hidden_size=48,
                       attention_size=24, attention_fn=additive_attention)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    batches = batch_stream(encode_split(task, "train"), 64, torch.Generator().manual_seed(0))
    start = time.process_time()
    for step in range(1, 401):
        src, lengths, tgt = next(batches)
        logits, _ = model(src, lengths, shift_right(tgt, BOS_ID))  # teacher forcing
        loss = sequence_loss(logits, tgt, PAD_ID)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if step % 100 == 0:
            print(f"step {step}: loss {loss.item():.3f} ({time.process_time() - start:.0f} s of CPU time)")
    model.eval()
    right = {"greedy": 0, "beam": 0}
    for source, target in zip(task.test.sources[:100], task.test.targets[:100]):
        step_fn, state = model.step_function(task.encode_sources([source])[0][0])
        greedy = task.target_vocab.decode(greedy_decode(step_fn, state, BOS_ID, EOS_ID, 20))
        beam = task.target_vocab.decode(beam_search(step_fn, state, BOS_ID, EOS_ID, 3, 20))
        right["greedy"] += greedy == target
        right["beam"] += beam == target
    for source in task.test.sources[:5]:
        step_fn, state = model.step_function(task.encode_sources([source])[0][0])
        print(f"{source:>8} -> {task.target_vocab.decode(greedy_decode(step_fn, state, BOS_ID, EOS_ID, 20))}")
    print(f"exact match on 100 test numbers: greedy {right['greedy']}%, beam search (3) {right['beam']}%")
