# %% [markdown]
# # Assignment 1 — An RNN from scratch in NumPy
#
# You will write the forward and backward pass of a vanilla (tanh) recurrent network, one time
# step first and then a whole sequence, in the CS231n style: every `*_forward` returns
# `(out, cache)` and every `*_backward` takes `(dout, cache)`; then clip the gradients by their
# global norm, and train a tiny character model with all of it.
#
# Read first: chapter 2, *The recurrent cell*, and chapter 3, *Backpropagation through time*.
#
# **How to work.** Replace each `raise NotImplementedError()` with your code; keep the function
# names and signatures. Run the cell below each exercise: it holds quick visible checks. More
# checks run when your notebook is graded, so make your code correct, not just the visible
# checks green. Before you submit, restart the kernel and run all cells, or press **Validate**.
# Never change an argument in place (the caller may still need its `x`, `h0` or `dh`): work on
# arrays your function created.
#
# **Shapes.** `N` batch, `T` time steps, `D` input size, `H` hidden size, `V` vocabulary.
# All arrays are NumPy `float64`. Weights are input-major: `Wx` is `(D, H)`, `Wh` is `(H, H)`,
# so one step for a batch is
#
# $$h_t = \tanh(x_t W_x + h_{t-1} W_h + b).$$
#
# You may use NumPy freely. Do not call `course_lib`'s reference solutions: the grader checks
# that the work is yours.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
import numpy as np

from course_lib.grading import assert_close, numerical_gradient

rng = np.random.default_rng(0)

# %% [markdown]
# ## Exercise 1 — one-hot vectors (1 point)
#
# `one_hot(indices, vocab_size)` turns integer ids of any shape `S` into float vectors of shape
# `S + (vocab_size,)`, with a single 1 at each id. An id outside `[0, vocab_size)` is a bug in the
# caller: raise `ValueError` (NumPy would silently accept `-1`).

# %% nbgrader={"grade": false, "grade_id": "one_hot", "locked": false, "schema_version": 3, "solution": true}
def one_hot(indices, vocab_size):
    """indices: int array of shape S -> float array of shape S + (vocab_size,)."""
    ### BEGIN SOLUTION
    indices = np.asarray(indices)
    if indices.size and (indices.min() < 0 or indices.max() >= vocab_size):
        raise ValueError(f"indices must lie in [0, {vocab_size})")
    return np.eye(vocab_size)[indices]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_one_hot", "locked": true, "points": 1, "schema_version": 3, "solution": false}
import numpy as np

from course_lib.grading import assert_close

_hello = np.array([0, 1, 2, 2, 3])  # "h e l l o" with vocabulary h, e, l, o
_out = one_hot(_hello, 4)
assert np.shape(_out) == (5, 4), f"one_hot of 5 ids with V=4 should have shape (5, 4), got {np.shape(_out)}"
assert_close(_out[2], [0.0, 0.0, 1.0, 0.0], name="one_hot(...)[2], the first 'l'")
### BEGIN HIDDEN TESTS
import course_lib.numpy_nn.layers as _layers
from course_lib.grading import reference_blocked

with reference_blocked(_layers.one_hot):
    _ids = np.random.default_rng(11).integers(0, 7, size=(2, 3, 4))
    _got = one_hot(_ids, 7)
    assert np.asarray(_got).dtype.kind == "f", f"one_hot should return floats, got dtype {np.asarray(_got).dtype}"
    assert_close(_got, (_ids[..., None] == np.arange(7)).astype(float), name="one_hot of a (2, 3, 4) array")
    assert_close(one_hot(np.array([6]), 7), [[0, 0, 0, 0, 0, 0, 1.0]], name="one_hot of the last id")
    for _bad in ([-1], [7], [0, 3, 9]):
        try:
            one_hot(np.array(_bad), 7)
        except ValueError:
            pass
        else:
            raise AssertionError(f"one_hot({_bad}, 7) should raise ValueError: an id is outside [0, 7)")
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2 — one RNN step, forward (2 points)
#
# $$h_\text{next} = \tanh(x W_x + h_\text{prev} W_h + b)$$
#
# Return `h_next` and a `cache` holding whatever your backward pass will need.

# %% nbgrader={"grade": false, "grade_id": "rnn_step_forward", "locked": false, "schema_version": 3, "solution": true}
def rnn_step_forward(x, h_prev, Wx, Wh, b):
    """x (N, D), h_prev (N, H), Wx (D, H), Wh (H, H), b (H,) -> h_next (N, H), cache."""
    ### BEGIN SOLUTION
    h_next = np.tanh(x @ Wx + h_prev @ Wh + b)
    cache = (x, h_prev, h_next, Wx, Wh)
    return h_next, cache
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_rnn_step_forward", "locked": true, "points": 2, "schema_version": 3, "solution": false}
import numpy as np

from course_lib.grading import assert_close

_N, _D, _H = 2, 3, 4
_x = np.linspace(-1, 1, _N * _D).reshape(_N, _D)
_h = np.linspace(-0.5, 0.5, _N * _H).reshape(_N, _H)
_out, _ = rnn_step_forward(_x, _h, np.zeros((_D, _H)), np.zeros((_H, _H)), np.full(_H, 0.3))
assert np.shape(_out) == (_N, _H), f"h_next should have shape (N, H) = {(_N, _H)}, got {np.shape(_out)}"
assert_close(_out, np.full((_N, _H), np.tanh(0.3)),
             name="h_next with Wx = Wh = 0 (only the bias b = 0.3 should remain, through tanh)")
_h_before = _h.copy()
_out, _ = rnn_step_forward(_x, _h, np.zeros((_D, _H)), np.eye(_H), np.zeros(_H))
assert np.array_equal(_h, _h_before), "rnn_step_forward changed its argument h_prev in place"
assert_close(_out, np.tanh(_h), name="h_next with Wx = 0, Wh = I, b = 0 (should be tanh(h_prev))")
### BEGIN HIDDEN TESTS
import torch

import course_lib.numpy_nn.rnn as _ref
from course_lib.grading import reference_blocked
from course_lib.torch_nn.rnn import RNNCell as _RefCell

torch.manual_seed(1)
_N, _D, _H = 3, 4, 5
_cell = torch.nn.RNNCell(_D, _H).double()
with torch.no_grad():  # make every parameter clearly non-zero and Wh clearly non-symmetric
    for _p in _cell.parameters():
        _p.uniform_(-0.8, 0.8)
_g = np.random.default_rng(21)
_x, _h = _g.normal(size=(_N, _D)), _g.normal(size=(_N, _H))
_Wx, _Wh = _cell.weight_ih.detach().numpy().T.copy(), _cell.weight_hh.detach().numpy().T.copy()
_b = (_cell.bias_ih + _cell.bias_hh).detach().numpy()
_expected = _cell(torch.from_numpy(_x), torch.from_numpy(_h)).detach().numpy()
_args = [a.copy() for a in (_x, _h, _Wx, _Wh, _b)]
with reference_blocked(_ref.rnn_step_forward, _ref.rnn_forward, _RefCell.forward):
    _got, _ = rnn_step_forward(*_args)
assert np.asarray(_got).dtype == np.float64, (
    f"h_next should be float64 like its inputs, got {np.asarray(_got).dtype}")
assert_close(_got, _expected, name="h_next (against torch.nn.RNNCell with the same weights)")
for _a, _orig, _n in zip(_args, (_x, _h, _Wx, _Wh, _b), ("x", "h_prev", "Wx", "Wh", "b")):
    assert np.array_equal(_a, _orig), f"rnn_step_forward changed its argument {_n} in place"
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 3 — one RNN step, backward (3 points)
#
# Given `dh_next` $= \partial L / \partial h_\text{next}$, return the gradients of the loss with
# respect to every input of the forward, in the forward's argument order. With
# $a = x W_x + h_\text{prev} W_h + b$, first go through the tanh:
# $\partial L/\partial a = \partial L/\partial h_\text{next} \odot (1 - h_\text{next}^2)$.
# Remember that `b` was added to every row of the batch.

# %% nbgrader={"grade": false, "grade_id": "rnn_step_backward", "locked": false, "schema_version": 3, "solution": true}
def rnn_step_backward(dh_next, cache):
    """dh_next (N, H) -> dx (N, D), dh_prev (N, H), dWx (D, H), dWh (H, H), db (H,)."""
    ### BEGIN SOLUTION
    x, h_prev, h_next, Wx, Wh = cache
    da = dh_next * (1 - h_next**2)
    return da @ Wx.T, da @ Wh.T, x.T @ da, h_prev.T @ da, da.sum(axis=0)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_rnn_step_backward", "locked": true, "points": 3, "schema_version": 3, "solution": false}
import numpy as np

from course_lib.grading import assert_close, numerical_gradient

_g = np.random.default_rng(3)
_N, _D, _H = 2, 3, 4
_inputs = dict(x=_g.normal(size=(_N, _D)), h_prev=_g.normal(size=(_N, _H)),
               Wx=_g.normal(size=(_D, _H)) * 0.5, Wh=_g.normal(size=(_H, _H)) * 0.5, b=_g.normal(size=_H))
# your function gets positional arguments, in the order of _inputs: the parameter names are yours
_h_next, _cache = rnn_step_forward(*_inputs.values())
_dh = _g.normal(size=(_N, _H))
_dh_before = _dh.copy()
_grads = rnn_step_backward(_dh, _cache)
assert np.array_equal(_dh, _dh_before), "rnn_step_backward changed its argument dh_next in place"
assert len(_grads) == 5, "return five gradients: dx, dh_prev, dWx, dWh, db"
for _name, _grad in zip(_inputs, _grads):
    assert np.shape(_grad) == np.shape(_inputs[_name]), (
        f"d{_name} should have the shape of {_name}, {np.shape(_inputs[_name])}; got {np.shape(_grad)}")
_num_db = numerical_gradient(lambda b: rnn_step_forward(*{**_inputs, "b": b}.values())[0], _inputs["b"], _dh)
assert_close(_grads[4], _num_db, name="db (against a numerical gradient of your forward)", rtol=1e-5, atol=1e-7)
### BEGIN HIDDEN TESTS
import torch

import course_lib.numpy_nn.rnn as _ref
from course_lib.grading import reference_blocked

_g = np.random.default_rng(33)
_N, _D, _H = 3, 4, 5
_inputs = dict(x=_g.normal(size=(_N, _D)), h_prev=_g.normal(size=(_N, _H)),
               Wx=_g.normal(size=(_D, _H)) * 0.6, Wh=_g.normal(size=(_H, _H)) * 0.6, b=_g.normal(size=_H) * 0.5)
_dh = _g.normal(size=(_N, _H))
# oracle 1: PyTorch autograd on the same computation
_t = {k: torch.tensor(v, requires_grad=True) for k, v in _inputs.items()}
(torch.tanh(_t["x"] @ _t["Wx"] + _t["h_prev"] @ _t["Wh"] + _t["b"]) * torch.from_numpy(_dh)).sum().backward()


# oracle 2: central differences in float64 of the written-out formula
def _formula(x, h_prev, Wx, Wh, b):
    return np.tanh(x @ Wx + h_prev @ Wh + b)


_dh_arg = _dh.copy()
with reference_blocked(_ref.rnn_step_forward, _ref.rnn_step_backward, _ref.rnn_forward, _ref.rnn_backward):
    _out, _cache = rnn_step_forward(*(v.copy() for v in _inputs.values()))
    _grads = rnn_step_backward(_dh_arg, _cache)
assert np.array_equal(_dh_arg, _dh), "rnn_step_backward changed its argument dh_next in place"
for _name, _grad in zip(_inputs, _grads):
    assert_close(_grad, _t[_name].grad.numpy(), name=f"d{_name} (against PyTorch autograd)")
    _num = numerical_gradient(lambda v, n=_name: _formula(**{**_inputs, n: v}), _inputs[_name], _dh)
    assert_close(_grad, _num, name=f"d{_name} (against a float64 numerical gradient)", rtol=1e-5, atol=1e-7)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 4 — a whole sequence, forward (2 points)
#
# Run the cell over `T` steps, starting from `h0` and carrying the hidden state from each step to
# the next. Return every hidden state, `h[:, t]` $= h_{t+1}$, shape `(N, T, H)`. Use your
# `rnn_step_forward`.

# %% nbgrader={"grade": false, "grade_id": "rnn_forward", "locked": false, "schema_version": 3, "solution": true}
def rnn_forward(x, h0, Wx, Wh, b):
    """x (N, T, D), h0 (N, H) -> h (N, T, H), cache."""
    ### BEGIN SOLUTION
    N, T, _ = x.shape
    h, caches, h_t = np.zeros((N, T, h0.shape[1])), [], h0
    for t in range(T):
        h_t, c = rnn_step_forward(x[:, t], h_t, Wx, Wh, b)
        h[:, t] = h_t
        caches.append(c)
    return h, caches
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_rnn_forward", "locked": true, "points": 2, "schema_version": 3, "solution": false}
import numpy as np

from course_lib.grading import assert_close

_N, _T, _D, _H = 2, 3, 1, 1
_h, _ = rnn_forward(np.zeros((_N, _T, _D)), np.full((_N, _H), 0.5), np.zeros((_D, _H)), np.ones((_H, _H)),
                    np.zeros(_H))
assert np.shape(_h) == (_N, _T, _H), f"h should have shape (N, T, H) = {(_N, _T, _H)}, got {np.shape(_h)}"
assert_close(_h[0, :, 0], [np.tanh(0.5), np.tanh(np.tanh(0.5)), np.tanh(np.tanh(np.tanh(0.5)))],
             name="h[0] with x = 0, Wh = 1, b = 0 (the state must be carried from step to step)")
### BEGIN HIDDEN TESTS
import torch

import course_lib.numpy_nn.rnn as _ref
from course_lib.grading import reference_blocked
from course_lib.torch_nn.rnn import RNNCell as _RefCell

torch.manual_seed(4)
_N, _T, _D, _H = 3, 6, 4, 5
_rnn = torch.nn.RNN(_D, _H, batch_first=True).double()
with torch.no_grad():
    for _p in _rnn.parameters():
        _p.uniform_(-0.7, 0.7)
_g = np.random.default_rng(44)
_x, _h0 = _g.normal(size=(_N, _T, _D)), _g.normal(size=(_N, _H))
_expected = _rnn(torch.from_numpy(_x), torch.from_numpy(_h0)[None])[0].detach().numpy()
_Wx, _Wh = _rnn.weight_ih_l0.detach().numpy().T.copy(), _rnn.weight_hh_l0.detach().numpy().T.copy()
_b = (_rnn.bias_ih_l0 + _rnn.bias_hh_l0).detach().numpy()
_args = [a.copy() for a in (_x, _h0, _Wx, _Wh, _b)]
with reference_blocked(_ref.rnn_step_forward, _ref.rnn_forward, _RefCell.forward):
    _got, _ = rnn_forward(*_args)
assert np.asarray(_got).dtype == np.float64, (
    f"h should be float64 like its inputs, got {np.asarray(_got).dtype}")
assert_close(_got, _expected, name="h (against torch.nn.RNN with the same weights)")
for _a, _orig, _n in zip(_args, (_x, _h0, _Wx, _Wh, _b), ("x", "h0", "Wx", "Wh", "b")):
    assert np.array_equal(_a, _orig), f"rnn_forward changed its argument {_n} in place"
with reference_blocked(_ref.rnn_step_forward, _ref.rnn_forward, _RefCell.forward):
    _got1, _ = rnn_forward(_x[:, :1].copy(), _h0.copy(), _Wx, _Wh, _b)
assert_close(_got1, _expected[:, :1], name="h for a sequence of length T = 1")
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 5 — backpropagation through time (4 points)
#
# `dh[:, t]` is the gradient of the loss with respect to the hidden state at step `t` coming
# from *outside* the recurrence (for example from an output layer at that step). Walk backwards
# in time: the total gradient reaching step `t` is `dh[:, t]` plus what flows back from step
# `t + 1`. The weights are shared by every step, so their gradients are sums over time.
# Return `dx (N, T, D)`, `dh0 (N, H)`, `dWx`, `dWh`, `db`.

# %% nbgrader={"grade": false, "grade_id": "rnn_backward", "locked": false, "schema_version": 3, "solution": true}
def rnn_backward(dh, cache):
    """dh (N, T, H) -> dx (N, T, D), dh0 (N, H), dWx (D, H), dWh (H, H), db (H,)."""
    ### BEGIN SOLUTION
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dWx, dWh, db = np.zeros((D, H)), np.zeros((H, H)), np.zeros(H)
    dh_prev = np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t], dh_prev, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t] + dh_prev, cache[t])
        dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t
    return dx, dh_prev, dWx, dWh, db
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_rnn_backward", "locked": true, "points": 4, "schema_version": 3, "solution": false}
import numpy as np

from course_lib.grading import assert_close, numerical_gradient

_g = np.random.default_rng(5)
_N, _T, _D, _H = 2, 3, 2, 3
_inputs = dict(x=_g.normal(size=(_N, _T, _D)), h0=_g.normal(size=(_N, _H)),
               Wx=_g.normal(size=(_D, _H)) * 0.5, Wh=_g.normal(size=(_H, _H)) * 0.5, b=_g.normal(size=_H))
# your function gets positional arguments, in the order of _inputs: the parameter names are yours
_h, _cache = rnn_forward(*_inputs.values())
_dh = np.zeros((_N, _T, _H))
_dh[:, -1] = _g.normal(size=(_N, _H))  # a loss on the last step only
_dh_before = _dh.copy()
_grads = rnn_backward(_dh, _cache)
assert np.array_equal(_dh, _dh_before), "rnn_backward changed its argument dh in place"
assert len(_grads) == 5, "return five gradients: dx, dh0, dWx, dWh, db"
for _name, _grad in zip(_inputs, _grads):
    assert np.shape(_grad) == np.shape(_inputs[_name]), (
        f"d{_name} should have the shape of {_name}, {np.shape(_inputs[_name])}; got {np.shape(_grad)}")
_num_dh0 = numerical_gradient(lambda v: rnn_forward(*{**_inputs, "h0": v}.values())[0], _inputs["h0"], _dh)
assert_close(_grads[1], _num_dh0, name="dh0 with a loss on the last step only (is the gradient carried back?)",
             rtol=1e-5, atol=1e-7)
### BEGIN HIDDEN TESTS
import torch

import course_lib.numpy_nn.rnn as _ref
from course_lib.grading import reference_blocked
from course_lib.torch_nn.rnn import RNNCell as _RefCell

torch.manual_seed(6)
_N, _T, _D, _H = 3, 5, 4, 5
_rnn = torch.nn.RNN(_D, _H, batch_first=True).double()
with torch.no_grad():
    for _p in _rnn.parameters():
        _p.uniform_(-0.6, 0.6)
_g = np.random.default_rng(66)
_inputs = dict(x=_g.normal(size=(_N, _T, _D)), h0=_g.normal(size=(_N, _H)))
_inputs.update(Wx=_rnn.weight_ih_l0.detach().numpy().T.copy(), Wh=_rnn.weight_hh_l0.detach().numpy().T.copy(),
               b=(_rnn.bias_ih_l0 + _rnn.bias_hh_l0).detach().numpy())


def _torch_grads(dh):
    """Oracle: PyTorch autograd through nn.RNN, gradients in the NumPy layout."""
    _rnn.zero_grad()
    x = torch.tensor(_inputs["x"], requires_grad=True)
    h0 = torch.tensor(_inputs["h0"][None], requires_grad=True)
    (_rnn(x, h0)[0] * torch.from_numpy(dh)).sum().backward()
    return dict(x=x.grad.numpy(), h0=h0.grad[0].numpy(), Wx=_rnn.weight_ih_l0.grad.numpy().T,
                Wh=_rnn.weight_hh_l0.grad.numpy().T, b=_rnn.bias_ih_l0.grad.numpy())


def _formula(x, h0, Wx, Wh, b):
    hs, h = [], h0
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ Wx + h @ Wh + b)
        hs.append(h)
    return np.stack(hs, axis=1)


_blocked = (_ref.rnn_step_forward, _ref.rnn_step_backward, _ref.rnn_forward, _ref.rnn_backward, _RefCell.forward)
_upstreams = {"a loss on every step": _g.normal(size=(_N, _T, _H))}
_only_first = np.zeros((_N, _T, _H))
_only_first[:, 0] = _g.normal(size=(_N, _H))
_upstreams["a loss on the first step only"] = _only_first
for _what, _dh in _upstreams.items():
    _dh_arg = _dh.copy()
    with reference_blocked(*_blocked):
        _h, _cache = rnn_forward(*(v.copy() for v in _inputs.values()))
        _grads = rnn_backward(_dh_arg, _cache)
    assert np.array_equal(_dh_arg, _dh), "rnn_backward changed its argument dh in place"
    _expected = _torch_grads(_dh)
    for _name, _grad in zip(_inputs, _grads):
        assert_close(_grad, _expected[_name], name=f"d{_name} with {_what} (against PyTorch autograd)")
_dh = _upstreams["a loss on every step"]
with reference_blocked(*_blocked):
    _grads = rnn_backward(_dh.copy(), rnn_forward(*(v.copy() for v in _inputs.values()))[1])
for _name, _grad in zip(_inputs, _grads):
    _num = numerical_gradient(lambda v, n=_name: _formula(**{**_inputs, n: v}), _inputs[_name], _dh)
    assert_close(_grad, _num, name=f"d{_name} (against a float64 numerical gradient)", rtol=1e-5, atol=1e-7)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 6 — clipping the gradient by its global norm (2 points)
#
# Chapter 3 showed gradients that explode over long sequences: one unlucky batch produces a
# step so large that it throws the weights far from anything sensible. **Gradient clipping**
# shortens such a step. View the gradients of all parameters (`dWx`, `dWh`, `db`, ...: arrays of
# different shapes) as one long vector $g$; with a threshold $c$ (`max_norm`),
#
# $$
# \lVert g \rVert = \sqrt{\textstyle\sum_k \sum_j g_{k,j}^2}, \qquad
# g_k \leftarrow g_k \cdot \frac{c}{\lVert g \rVert + 10^{-6}}
# \quad \text{for every array } k \text{, when this factor is } < 1;
# $$
#
# otherwise the gradients stay as they are. `torch.nn.utils.clip_grad_norm_` does exactly this.
#
# - **Why one *global* norm?** One factor for every array shortens the whole update and keeps its
#   direction. Clipping each array by its own norm would shrink some parameters' steps more than
#   others (and leave alone an array that is short on its own): the update would no longer point
#   along the gradient.
# - **Why $10^{-6}$?** It keeps the division finite when every gradient is zero. Otherwise it
#   changes the factor by a relative $10^{-6}/\lVert g \rVert$, far below anything that matters:
#   leaving it out and clipping only when $\lVert g \rVert > c$ is right too.
#
# `clip_by_global_norm(grads, max_norm)` takes a list of arrays of any shapes (0-d included) and
# returns `(clipped, total_norm)`: `clipped` is a **new** list of new float64 arrays, one per
# gradient and of its shape; `total_norm` is $\lVert g \rVert$ **before** clipping, as a float
# (worth logging: it tells you how often and how hard you clip). Never change the arrays in
# `grads` in place.

# %% nbgrader={"grade": false, "grade_id": "clip_by_global_norm", "locked": false, "schema_version": 3, "solution": true}
def clip_by_global_norm(grads, max_norm):
    """grads: list of arrays of any shapes -> clipped (a new list of new arrays), total_norm (float)."""
    ### BEGIN SOLUTION
    total_norm = float(np.sqrt(sum(np.sum(g**2) for g in grads)))
    factor = max_norm / (total_norm + 1e-6)
    if factor < 1:
        return [g * factor for g in grads], total_norm
    return [g.copy() for g in grads], total_norm
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_clip_by_global_norm", "locked": true, "points": 2, "schema_version": 3, "solution": false}
import numpy as np

from course_lib.grading import assert_close

# Dividing by ||g|| + 1e-6 or by ||g|| are both right; the two results differ by a relative
# 1e-6 / ||g||, under 1e-7 for the norms checked here (all 0 or at least 13). Values are compared
# with rtol 1e-5, which accepts both; each wrong answer these checks look for is off by 10% or
# more somewhere (float32 results are caught by their dtype, not their values).
_RTOL_EPS = 1e-5
_grads = [np.array([3.0, 4.0]), np.array([[12.0]])]  # one long vector (3, 4, 12): norm sqrt(169) = 13
_clipped, _total = clip_by_global_norm(_grads, 6.5)
assert len(_clipped) == 2, f"clipped should hold one array per gradient, 2 here; got {len(_clipped)}"
assert np.shape(_clipped[1]) == (1, 1), (
    f"clipped[1] should keep the shape (1, 1) of grads[1], got {np.shape(_clipped[1])}")
assert_close(_total, 13.0, name="total_norm of [3, 4] and [[12]] (the norm before clipping)")
assert_close(_clipped[0], [1.5, 2.0], name="clipped[0] with max_norm 6.5 (every array times 6.5 / 13)", rtol=_RTOL_EPS)
assert_close(_clipped[1], [[6.0]], name="clipped[1] with max_norm 6.5 (every array times 6.5 / 13)", rtol=_RTOL_EPS)
assert np.array_equal(_grads[0], [3.0, 4.0]) and np.array_equal(_grads[1], [[12.0]]), (
    "clip_by_global_norm changed the arrays in grads in place")
_kept, _ = clip_by_global_norm(_grads, 20.0)
assert_close(_kept[1], [[12.0]], name="clipped[1] with max_norm 20 > 13 (nothing to clip)")
### BEGIN HIDDEN TESTS
import torch

import course_lib.numpy_nn.clipping as _ref
from course_lib.grading import reference_blocked


def _torch_clip(grads, max_norm):
    """Oracle: torch.nn.utils.clip_grad_norm_ on float64 parameters whose .grad are copies of grads."""
    params = [torch.zeros(np.shape(g), dtype=torch.float64, requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = torch.tensor(g, dtype=torch.float64)
    total = torch.nn.utils.clip_grad_norm_(params, max_norm)
    return [p.grad.numpy() for p in params], float(total)


# Each global norm is 0 or at least 13 (see _RTOL_EPS) and far from 1, where a norm without its
# square root would look right. In the first case two arrays are short on their own, so clipping
# each array by its own norm leaves them as they are; a 0-d gradient is among them.
_g = np.random.default_rng(12)
_cases = {
    "shapes (3, 4), (5,), () and (2, 3, 2), norm about 32 > max_norm 5": (
        [_g.normal(size=(3, 4)) * 10, _g.normal(size=5) * 0.1, np.array(-2.0), _g.normal(size=(2, 3, 2)) * 3], 5.0),
    "one (4, 6) array, norm about 21 > max_norm 2": ([_g.normal(size=(4, 6)) * 5], 2.0),
    "exploding gradients, norm about 8e4 > max_norm 1": ([_g.normal(size=(8, 8)) * 1e4, _g.normal(size=8) * 1e4], 1.0),
    "a (2, 2) and a (3,) array, norm about 20 < max_norm 40 (nothing to clip)": (
        [_g.normal(size=(2, 2)) * 6, _g.normal(size=3) * 6], 40.0),
    "[3, 4] and [12], norm 13 = max_norm 13 (factor 13 / (13 + 1e-6) or none)": (
        [np.array([3.0, 4.0]), np.array([12.0])], 13.0),
    "all-zero gradients, max_norm 1 (nothing to clip, and no NaN)": ([np.zeros((2, 3)), np.zeros(4)], 1.0),
}
for _what, (_grads, _max_norm) in _cases.items():
    _expected, _expected_total = _torch_clip(_grads, _max_norm)
    _args = [g.copy() for g in _grads]
    with reference_blocked(_ref.clip_by_global_norm, _ref.global_norm):
        _clipped, _total = clip_by_global_norm(_args, _max_norm)
    for _k, (_arg, _orig) in enumerate(zip(_args, _grads)):
        assert np.array_equal(_arg, _orig), f"clip_by_global_norm changed grads[{_k}] in place ({_what})"
    assert np.ndim(_total) == 0 and np.asarray(_total).dtype.kind in "fiu", (
        f"total_norm should be one real number, got {type(_total).__name__} of shape {np.shape(_total)} ({_what})")
    assert_close(float(_total), _expected_total, name=f"total_norm for {_what} (against clip_grad_norm_)")
    assert isinstance(_clipped, (list, tuple)) and len(_clipped) == len(_grads), (
        f"clipped should be a list of {len(_grads)} arrays, one per gradient ({_what})")
    for _k, (_c, _e) in enumerate(zip(_clipped, _expected)):
        assert np.asarray(_c).dtype == np.float64, (
            f"clipped[{_k}] should be float64 like grads[{_k}], got {np.asarray(_c).dtype} ({_what})")
        assert_close(_c, _e, name=f"clipped[{_k}] for {_what} (against clip_grad_norm_)", rtol=_RTOL_EPS)
### END HIDDEN TESTS

# %% [markdown]
# ## Putting it together — the "hello" character model (not graded)
#
# With your functions and a linear output layer we can train Karpathy's smallest example: read
# `h, e, l, l` one character at a time and predict the next one, `e, l, l, o`. The training loop
# below uses only *your* `one_hot`, `rnn_forward`, `rnn_backward` and `clip_by_global_norm`; the
# output layer and the softmax loss come from `course_lib`. If your backward pass is right, the
# loss falls towards zero and the model spells "ello".
#
# Before each update, your `clip_by_global_norm` clips the five gradients to a global norm of at
# most `max_norm = 0.5`. This small problem never explodes; the threshold sits just below the
# norm of the first steps' gradients (about 0.8) so that you can watch clipping work: the table
# shows the global norm before and after clipping for the first steps and every 50th. The first
# few are cut to 0.5; later the gradient is short and passes unchanged.

# %% nbgrader={"grade": false, "grade_id": "hello_model", "locked": true, "schema_version": 3, "solution": false}
from course_lib.numpy_nn.layers import softmax_cross_entropy, temporal_affine_backward, temporal_affine_forward

chars = ["h", "e", "l", "o"]
inputs, targets = np.array([[0, 1, 2, 2]]), np.array([[1, 2, 2, 3]])  # "hell" -> "ello"
V, H = len(chars), 8
init = np.random.default_rng(0)
params = dict(Wx=init.normal(size=(V, H)) * 0.3, Wh=init.normal(size=(H, H)) * 0.3, b=np.zeros(H),
              Wy=init.normal(size=(H, V)) * 0.3, by=np.zeros(V))
learning_rate, steps = 0.3, 300  # plain gradient descent; 300 steps take well under a second
max_norm = 0.5  # just below the first gradients' global norm (about 0.8): the first steps are clipped
losses, norms = [], []  # norms: (global norm before, after clipping) at every step
for step in range(steps):
    h, cache = rnn_forward(one_hot(inputs, V), np.zeros((1, H)), params["Wx"], params["Wh"], params["b"])
    scores, out_cache = temporal_affine_forward(h, params["Wy"], params["by"])
    loss, dscores = softmax_cross_entropy(scores, targets)
    dh, dWy, dby = temporal_affine_backward(dscores, out_cache)
    _, _, dWx, dWh, db = rnn_backward(dh, cache)
    grads, norm_before = clip_by_global_norm([dWx, dWh, db, dWy, dby], max_norm)
    norms.append((float(norm_before), float(np.sqrt(sum(np.sum(np.square(g)) for g in grads)))))
    for name, grad in zip(["Wx", "Wh", "b", "Wy", "by"], grads):
        params[name] -= learning_rate * grad
    losses.append(loss)
print("step  global norm before -> after clipping")
for step in [*range(8), *range(50, steps, 50)]:
    print(f"{step:4d}  {norms[step][0]:.4f} -> {norms[step][1]:.4f}")
prediction = "".join(chars[i] for i in scores.argmax(axis=-1)[0])
print(f"loss {losses[0]:.3f} -> {losses[-1]:.4f}; the model reads 'hell' and predicts {prediction!r}")
