# %% [markdown]
# # Assignment 2 — LSTM and GRU from scratch in NumPy
#
# You will write a numerically stable sigmoid, the forward and backward pass of an LSTM (one
# step, then a whole sequence), one GRU step, and a small experiment that measures how much of
# the gradient survives a long sequence. Everything is checked against PyTorch's own
# `nn.LSTMCell`, `nn.LSTM` and `nn.GRUCell` with the same weights, and against numerical gradients.
#
# Read first: chapter 4, *LSTM and GRU* (and chapter 3 for backpropagation through time).
#
# **How to work.** Replace each `raise NotImplementedError()` with your code; keep the function
# names and signatures. Run the cell below each exercise: it holds quick visible checks. More
# checks run when your notebook is graded, so make your code correct, not just the visible
# checks green. Before you submit, restart the kernel and run all cells, or press **Validate**.
# Never change an argument in place (the caller may still need its `x`, `h_prev`, `h0` or `dh`):
# work on arrays your function created.
#
# **Shapes.** `N` batch, `T` time steps, `D` input size, `H` hidden size. All arrays are NumPy
# `float64`. Weights are input-major and the four gates are stacked along the last axis in
# **PyTorch's order `[i, f, g, o]`**: `Wx` is `(D, 4H)`, `Wh` is `(H, 4H)`, `b` is `(4H,)`, so
# `Wx[:, :H]` belongs to the input gate, `Wx[:, H:2H]` to the forget gate, `Wx[:, 2H:3H]` to the
# candidate `g` and `Wx[:, 3H:]` to the output gate. With a PyTorch module,
# `Wx = weight_ih.T`, `Wh = weight_hh.T` and `b = bias_ih + bias_hh`. One LSTM step is
#
# $$
# \begin{aligned}
# a &= x W_x + h_\text{prev} W_h + b, \qquad [a_i, a_f, a_g, a_o] = \text{split}_4(a) \\
# i &= \sigma(a_i),\quad f = \sigma(a_f),\quad g = \tanh(a_g),\quad o = \sigma(a_o) \\
# c_\text{next} &= f \odot c_\text{prev} + i \odot g, \qquad h_\text{next} = o \odot \tanh(c_\text{next}).
# \end{aligned}
# $$
#
# You may use NumPy freely. Do not call `course_lib`'s reference solutions: the grader checks
# that the work is yours.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
import numpy as np

from course_lib.grading import assert_close, numerical_gradient

rng = np.random.default_rng(0)

# %% [markdown]
# ## Exercise 1 — a sigmoid that never overflows (1 point)
#
# $\sigma(x) = 1/(1 + e^{-x})$. Written literally, `np.exp(-x)` overflows for `x < -709` and
# NumPy warns (or, under `np.errstate(all="raise")`, raises). Gates see large pre-activations
# more often than you would think, so write `sigmoid(x)` elementwise for an array of any shape
# such that it returns the right float values for **every** finite input without any overflow
# warning and without NaN. Hint: for $x < 0$, $\sigma(x) = e^{x} / (1 + e^{x})$, and
# $e^{x} \le 1$ there. (A result that underflows to exactly 0 is fine.)

# %% nbgrader={"grade": false, "grade_id": "sigmoid", "locked": false, "schema_version": 3, "solution": true}
def sigmoid(x):
    """x: float array of any shape -> sigma(x), same shape, values in [0, 1]."""
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=np.float64)
    z = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))
    ### END SOLUTION


# %% [markdown]
# The tests call your `sigmoid` through `sigmoid_strict` below, which turns every floating-point
# warning into an error (all but underflow: a result that rounds to 0 is the right answer).

# %% nbgrader={"grade": false, "grade_id": "sigmoid_strict", "locked": true, "schema_version": 3, "solution": false}
import warnings


def sigmoid_strict(x):
    """Your sigmoid, with overflow, invalid values and division by zero raising instead of warning."""
    with np.errstate(all="raise", under="ignore"), warnings.catch_warnings():
        warnings.simplefilter("error")
        return sigmoid(x)


# %% nbgrader={"grade": true, "grade_id": "test_sigmoid", "locked": true, "points": 1, "schema_version": 3, "solution": false}
import numpy as np

from course_lib.grading import assert_close

_x = np.array([[-2.0, 0.0, 2.0]])
_out = sigmoid(_x)
assert np.shape(_out) == (1, 3), f"sigmoid should keep the shape (1, 3), got {np.shape(_out)}"
assert_close(_out, 1 / (1 + np.exp(-_x)), name="sigmoid([[-2, 0, 2]])")
try:
    _out = sigmoid_strict(np.array([-1000.0, 1000.0]))
except NameError:
    raise AssertionError("sigmoid_strict is missing: run (or restore) the locked cell above") from None
except Exception as _err:  # FloatingPointError, or a RuntimeWarning raised as an error
    raise AssertionError(f"sigmoid([-1000, 1000]) overflowed: {_err!r}") from None
assert_close(_out, [0.0, 1.0], name="sigmoid([-1000, 1000])")
### BEGIN HIDDEN TESTS
import torch

import course_lib.numpy_nn.lstm as _ref
from course_lib.grading import reference_blocked

_g = np.random.default_rng(1)
_cases = {
    "extreme values": np.array([-1e308, -1000.0, -746.0, -709.5, -40.0, -1.0, 0.0, 1.0, 40.0, 709.5, 746.0, 1000.0, 1e308]),
    "a (3, 4, 5) array of normal values": _g.normal(size=(3, 4, 5)) * 5,
    "a (2, 6) array of large values": _g.normal(size=(2, 6)) * 800,
}
for _what, _x in _cases.items():
    _copy = _x.copy()
    with reference_blocked(_ref.sigmoid):
        try:  # sigmoid_strict runs where your code runs, with floating-point warnings as errors
            _out = sigmoid_strict(_x)
        except NameError:
            raise AssertionError("sigmoid_strict is missing: restore the locked cell above the test") from None
        except Exception as _err:
            raise AssertionError(f"sigmoid of {_what} overflowed or failed: {_err!r}") from None
    assert np.asarray(_out).dtype.kind == "f", f"sigmoid should return floats, got {np.asarray(_out).dtype}"
    assert_close(_out, torch.sigmoid(torch.from_numpy(_x)), name=f"sigmoid of {_what} (against torch.sigmoid)")
    assert np.array_equal(_x, _copy), "sigmoid changed its input in place"
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2 — one LSTM step, forward (3 points)
#
# Implement the step above. Compute the four pre-activations with **one** matrix product per
# weight (`x @ Wx + h_prev @ Wh + b`, shape `(N, 4H)`), then split it into four `(N, H)` blocks in
# the order `[i, f, g, o]`. Use your `sigmoid`. Return `h_next`, `c_next` and a `cache` holding
# whatever your backward pass will need.

# %% nbgrader={"grade": false, "grade_id": "lstm_step_forward", "locked": false, "schema_version": 3, "solution": true}
def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    """x (N, D), h_prev (N, H), c_prev (N, H), Wx (D, 4H), Wh (H, 4H), b (4H,) -> h_next, c_next, cache."""
    ### BEGIN SOLUTION
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    i, f = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H])
    g, o = np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])
    c_next = f * c_prev + i * g
    tanh_c = np.tanh(c_next)
    h_next = o * tanh_c
    cache = (x, h_prev, c_prev, i, f, g, o, tanh_c, Wx, Wh)
    return h_next, c_next, cache
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_lstm_step_forward", "locked": true, "points": 3, "schema_version": 3, "solution": false}
import numpy as np

from course_lib.grading import assert_close

_N, _D, _H = 2, 3, 4
_x = np.linspace(-1, 1, _N * _D).reshape(_N, _D)
_h = np.linspace(-0.5, 0.5, _N * _H).reshape(_N, _H)
_c = np.full((_N, _H), 0.7)
_a = {"i": 1.0, "f": -1.0, "g": 0.5, "o": 2.0}  # one constant pre-activation per gate, order [i, f, g, o]
_b = np.concatenate([np.full(_H, _a[k]) for k in "ifgo"])
_h_next, _c_next, _ = lstm_step_forward(_x, _h, _c, np.zeros((_D, 4 * _H)), np.zeros((_H, 4 * _H)), _b)
assert np.shape(_h_next) == (_N, _H), f"h_next should have shape (N, H) = {(_N, _H)}, got {np.shape(_h_next)}"
assert np.shape(_c_next) == (_N, _H), f"c_next should have shape (N, H) = {(_N, _H)}, got {np.shape(_c_next)}"
_sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731  (moderate values only)
_c_expected = _sig(_a["f"]) * 0.7 + _sig(_a["i"]) * np.tanh(_a["g"])
assert_close(_c_next, np.full((_N, _H), _c_expected),
             name="c_next with Wx = Wh = 0 and b = [1, -1, 0.5, 2] per gate block [i, f, g, o] (check the gate order)")
assert_close(_h_next, np.full((_N, _H), _sig(_a["o"]) * np.tanh(_c_expected)),
             name="h_next with Wx = Wh = 0 (h_next = o * tanh(c_next))")
### BEGIN HIDDEN TESTS
import torch

import course_lib.numpy_nn.lstm as _ref
from course_lib.grading import reference_blocked
from course_lib.torch_nn.lstm import LSTM as _RefLSTM
from course_lib.torch_nn.lstm import LSTMCell as _RefCell

_blocked = (_ref.sigmoid, _ref.lstm_step_forward, _ref.lstm_forward, _RefCell.forward, _RefLSTM.forward)
torch.manual_seed(2)
_N, _D, _H = 3, 4, 5
_cell = torch.nn.LSTMCell(_D, _H).double()
with torch.no_grad():  # clearly non-zero weights, so every gate and the order matter
    for _p in _cell.parameters():
        _p.uniform_(-0.8, 0.8)
_Wx, _Wh = _cell.weight_ih.detach().numpy().T.copy(), _cell.weight_hh.detach().numpy().T.copy()
_b = (_cell.bias_ih + _cell.bias_hh).detach().numpy()
_g = np.random.default_rng(22)
for _scale in (1.0, 3.0):  # a large cell state tells o * c apart from o * tanh(c)
    _x, _h, _c = _g.normal(size=(_N, _D)), _g.normal(size=(_N, _H)), _g.normal(size=(_N, _H)) * _scale
    _eh, _ec = (t.detach().numpy() for t in _cell(torch.from_numpy(_x), (torch.from_numpy(_h), torch.from_numpy(_c))))
    _args = [a.copy() for a in (_x, _h, _c, _Wx, _Wh, _b)]
    with reference_blocked(*_blocked):
        _got_h, _got_c, _ = lstm_step_forward(*_args)
    for _v, _n in ((_got_h, "h_next"), (_got_c, "c_next")):
        assert np.asarray(_v).dtype == np.float64, (
            f"{_n} should be float64 like its inputs, got {np.asarray(_v).dtype}")
    assert_close(_got_c, _ec, name="c_next (against torch.nn.LSTMCell with the same weights)")
    assert_close(_got_h, _eh, name="h_next (against torch.nn.LSTMCell with the same weights)")
    for _a, _orig, _n in zip(_args, (_x, _h, _c, _Wx, _Wh, _b), ("x", "h_prev", "c_prev", "Wx", "Wh", "b")):
        assert np.array_equal(_a, _orig), f"lstm_step_forward changed its argument {_n} in place"
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 3 — one LSTM step, backward (4 points)
#
# Given `dh_next` $= \partial L/\partial h_\text{next}$ and `dc_next` $= \partial L/\partial c_\text{next}$,
# return `dx, dh_prev, dc_prev, dWx, dWh, db`. The cell state gets gradient from **two** places:
# straight from the next step (`dc_next`) and through $h_\text{next} = o \odot \tanh(c_\text{next})$.
# Add both before going further. Then find the gradient of each gate's pre-activation
# ($\sigma' = \sigma(1-\sigma)$, $\tanh' = 1 - \tanh^2$), put the four blocks back together in the
# order `[i, f, g, o]`, and go through the affine map as in the plain RNN.

# %% nbgrader={"grade": false, "grade_id": "lstm_step_backward", "locked": false, "schema_version": 3, "solution": true}
def lstm_step_backward(dh_next, dc_next, cache):
    """dh_next, dc_next (N, H) -> dx (N, D), dh_prev (N, H), dc_prev (N, H), dWx (D, 4H), dWh (H, 4H), db (4H,)."""
    ### BEGIN SOLUTION
    x, h_prev, c_prev, i, f, g, o, tanh_c, Wx, Wh = cache
    dc = dc_next + dh_next * o * (1 - tanh_c**2)
    da = np.concatenate([dc * g * i * (1 - i), dc * c_prev * f * (1 - f), dc * i * (1 - g**2),
                         dh_next * tanh_c * o * (1 - o)], axis=1)
    return da @ Wx.T, da @ Wh.T, dc * f, x.T @ da, h_prev.T @ da, da.sum(axis=0)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_lstm_step_backward", "locked": true, "points": 4, "schema_version": 3, "solution": false}
import numpy as np

from course_lib.grading import assert_close, numerical_gradient

_g = np.random.default_rng(3)
_N, _D, _H = 2, 3, 4
_inputs = dict(x=_g.normal(size=(_N, _D)), h_prev=_g.normal(size=(_N, _H)), c_prev=_g.normal(size=(_N, _H)),
               Wx=_g.normal(size=(_D, 4 * _H)) * 0.5, Wh=_g.normal(size=(_H, 4 * _H)) * 0.5, b=_g.normal(size=4 * _H))
# your function gets positional arguments, in the order of _inputs: the parameter names are yours
_h_next, _c_next, _cache = lstm_step_forward(*_inputs.values())
_dh, _dc = _g.normal(size=(_N, _H)), _g.normal(size=(_N, _H))
_dh_before, _dc_before = _dh.copy(), _dc.copy()
_grads = lstm_step_backward(_dh, _dc, _cache)
assert np.array_equal(_dh, _dh_before), "lstm_step_backward changed its argument dh_next in place"
assert np.array_equal(_dc, _dc_before), "lstm_step_backward changed its argument dc_next in place"
assert len(_grads) == 6, "return six gradients: dx, dh_prev, dc_prev, dWx, dWh, db"
for _name, _grad in zip(_inputs, _grads):
    assert np.shape(_grad) == np.shape(_inputs[_name]), (
        f"d{_name} should have the shape of {_name}, {np.shape(_inputs[_name])}; got {np.shape(_grad)}")


def _both(*args):  # L = <dh, h_next> + <dc, c_next>: differentiate both outputs at once
    h, c, _ = lstm_step_forward(*args)
    return np.stack([h, c])


_num_db = numerical_gradient(lambda b: _both(*{**_inputs, "b": b}.values()), _inputs["b"], np.stack([_dh, _dc]))
assert_close(_grads[5], _num_db, name="db (against a numerical gradient of your forward)", rtol=1e-5, atol=1e-7)
### BEGIN HIDDEN TESTS
import torch

import course_lib.numpy_nn.lstm as _ref
from course_lib.grading import reference_blocked
from course_lib.torch_nn.lstm import LSTMCell as _RefCell

_blocked = (_ref.sigmoid, _ref.lstm_step_forward, _ref.lstm_step_backward, _ref.lstm_forward, _ref.lstm_backward,
            _RefCell.forward)
_g = np.random.default_rng(33)
_N, _D, _H = 3, 4, 5
_inputs = dict(x=_g.normal(size=(_N, _D)), h_prev=_g.normal(size=(_N, _H)), c_prev=_g.normal(size=(_N, _H)) * 2,
               Wx=_g.normal(size=(_D, 4 * _H)) * 0.6, Wh=_g.normal(size=(_H, 4 * _H)) * 0.6,
               b=_g.normal(size=4 * _H) * 0.5)


def _formula(x, h_prev, c_prev, Wx, Wh, b):
    """Oracle: the LSTM step written out with PyTorch's gate order, in float64."""
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    s = lambda v: 0.5 * (1 + np.tanh(v / 2))  # noqa: E731
    c = s(a[:, H:2 * H]) * c_prev + s(a[:, :H]) * np.tanh(a[:, 2 * H:3 * H])
    return np.stack([s(a[:, 3 * H:]) * np.tanh(c), c])


_upstreams = {
    "both dh_next and dc_next": (_g.normal(size=(_N, _H)), _g.normal(size=(_N, _H))),
    "dc_next only (dh_next = 0)": (np.zeros((_N, _H)), _g.normal(size=(_N, _H))),
    "dh_next only (dc_next = 0)": (_g.normal(size=(_N, _H)), np.zeros((_N, _H))),
}
for _what, (_dh, _dc) in _upstreams.items():
    _dh_arg, _dc_arg = _dh.copy(), _dc.copy()
    with reference_blocked(*_blocked):
        _out_h, _out_c, _cache = lstm_step_forward(*(v.copy() for v in _inputs.values()))
        _grads = lstm_step_backward(_dh_arg, _dc_arg, _cache)
    assert np.array_equal(_dh_arg, _dh), "lstm_step_backward changed its argument dh_next in place"
    assert np.array_equal(_dc_arg, _dc), "lstm_step_backward changed its argument dc_next in place"
    # oracle 1: PyTorch autograd through the same step
    _t = {k: torch.tensor(v, requires_grad=True) for k, v in _inputs.items()}
    _a = _t["x"] @ _t["Wx"] + _t["h_prev"] @ _t["Wh"] + _t["b"]
    _ai, _af, _ag, _ao = _a.chunk(4, dim=1)
    _tc = torch.sigmoid(_af) * _t["c_prev"] + torch.sigmoid(_ai) * torch.tanh(_ag)
    _th = torch.sigmoid(_ao) * torch.tanh(_tc)
    ((_th * torch.from_numpy(_dh)).sum() + (_tc * torch.from_numpy(_dc)).sum()).backward()
    for _name, _grad in zip(_inputs, _grads):
        assert_close(_grad, _t[_name].grad.numpy(), name=f"d{_name} with {_what} (against PyTorch autograd)")
# oracle 2: central differences of the written-out formula, for the first upstream
_dh, _dc = _upstreams["both dh_next and dc_next"]
with reference_blocked(*_blocked):
    _grads = lstm_step_backward(_dh.copy(), _dc.copy(), lstm_step_forward(*(v.copy() for v in _inputs.values()))[2])
for _name, _grad in zip(_inputs, _grads):
    _num = numerical_gradient(lambda v, n=_name: _formula(**{**_inputs, n: v}), _inputs[_name], np.stack([_dh, _dc]))
    assert_close(_grad, _num, name=f"d{_name} (against a float64 numerical gradient)", rtol=1e-5, atol=1e-7)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 4 — a whole sequence, forward (2 points)
#
# Run the LSTM over `T` steps starting from `h0` and a **zero** cell state, carrying both `h` and
# `c` from step to step. Return every hidden state, `h[:, t]` $= h_{t+1}$, shape `(N, T, H)`, and
# a cache. Use your `lstm_step_forward`.

# %% nbgrader={"grade": false, "grade_id": "lstm_forward", "locked": false, "schema_version": 3, "solution": true}
def lstm_forward(x, h0, Wx, Wh, b):
    """x (N, T, D), h0 (N, H) -> h (N, T, H), cache. The initial cell state is zeros."""
    ### BEGIN SOLUTION
    N, T, _ = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    h_t, c_t, caches = h0, np.zeros_like(h0), []
    for t in range(T):
        h_t, c_t, step = lstm_step_forward(x[:, t], h_t, c_t, Wx, Wh, b)
        h[:, t] = h_t
        caches.append(step)
    return h, caches
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_lstm_forward", "locked": true, "points": 2, "schema_version": 3, "solution": false}
import numpy as np

from course_lib.grading import assert_close

_N, _T, _D, _H = 2, 3, 1, 1
# all gates open (a_i = a_f = a_o = +40 gives sigma = 1), candidate g = tanh(1): c grows by tanh(1) a step
_b = np.array([40.0, 40.0, 1.0, 40.0])
_h, _ = lstm_forward(np.zeros((_N, _T, _D)), np.zeros((_N, _H)), np.zeros((_D, 4)), np.zeros((_H, 4)), _b)
assert np.shape(_h) == (_N, _T, _H), f"h should have shape (N, T, H) = {(_N, _T, _H)}, got {np.shape(_h)}"
assert_close(_h[0, :, 0], np.tanh(np.tanh(1.0) * np.arange(1, 4)),
             name="h[0] with open gates (c must start at 0 and be carried: c_t = t * tanh(1), h_t = tanh(c_t))")
### BEGIN HIDDEN TESTS
import torch

import course_lib.numpy_nn.lstm as _ref
from course_lib.grading import reference_blocked
from course_lib.torch_nn.lstm import LSTM as _RefLSTM
from course_lib.torch_nn.lstm import LSTMCell as _RefCell

_blocked = (_ref.sigmoid, _ref.lstm_step_forward, _ref.lstm_forward, _RefCell.forward, _RefLSTM.forward)
torch.manual_seed(4)
_N, _T, _D, _H = 3, 6, 4, 5
_lstm = torch.nn.LSTM(_D, _H, batch_first=True).double()
with torch.no_grad():
    for _p in _lstm.parameters():
        _p.uniform_(-0.7, 0.7)
_g = np.random.default_rng(44)
_x, _h0 = _g.normal(size=(_N, _T, _D)), _g.normal(size=(_N, _H))
_zeros = torch.zeros(1, _N, _H, dtype=torch.float64)
_expected = _lstm(torch.from_numpy(_x), (torch.from_numpy(_h0)[None], _zeros))[0].detach().numpy()
_Wx, _Wh = _lstm.weight_ih_l0.detach().numpy().T.copy(), _lstm.weight_hh_l0.detach().numpy().T.copy()
_b = (_lstm.bias_ih_l0 + _lstm.bias_hh_l0).detach().numpy()
_args = [a.copy() for a in (_x, _h0, _Wx, _Wh, _b)]
with reference_blocked(*_blocked):
    _got, _ = lstm_forward(*_args)
assert np.asarray(_got).dtype == np.float64, (
    f"h should be float64 like its inputs, got {np.asarray(_got).dtype}")
assert_close(_got, _expected, name="h (against torch.nn.LSTM with the same weights and c0 = 0)")
for _a, _orig, _n in zip(_args, (_x, _h0, _Wx, _Wh, _b), ("x", "h0", "Wx", "Wh", "b")):
    assert np.array_equal(_a, _orig), f"lstm_forward changed its argument {_n} in place"
with reference_blocked(*_blocked):
    _got1, _ = lstm_forward(_x[:, :1].copy(), _h0.copy(), _Wx, _Wh, _b)
assert_close(_got1, _expected[:, :1], name="h for a sequence of length T = 1")
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 5 — backpropagation through time (4 points)
#
# `dh[:, t]` is the gradient of the loss with respect to the hidden state at step `t` from outside
# the recurrence. Walk backwards in time carrying **two** gradients: the one for `h` (add
# `dh[:, t]` to what comes back from step `t + 1`) and the one for `c` (only step `t + 1` sends it;
# nothing outside reads the cell state, so it starts at zero after the last step). The weights are
# shared, so their gradients are sums over time. Return `dx (N, T, D)`, `dh0 (N, H)`, `dWx`,
# `dWh`, `db`.

# %% nbgrader={"grade": false, "grade_id": "lstm_backward", "locked": false, "schema_version": 3, "solution": true}
def lstm_backward(dh, cache):
    """dh (N, T, H) -> dx (N, T, D), dh0 (N, H), dWx (D, 4H), dWh (H, 4H), db (4H,)."""
    ### BEGIN SOLUTION
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dWx, dWh, db = np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), np.zeros(4 * H)
    dh_prev, dc_prev = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t], dh_prev, dc_prev, dWx_t, dWh_t, db_t = lstm_step_backward(dh[:, t] + dh_prev, dc_prev, cache[t])
        dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t
    return dx, dh_prev, dWx, dWh, db
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_lstm_backward", "locked": true, "points": 4, "schema_version": 3, "solution": false}
import numpy as np

from course_lib.grading import assert_close, numerical_gradient

_g = np.random.default_rng(5)
_N, _T, _D, _H = 2, 3, 2, 3
_inputs = dict(x=_g.normal(size=(_N, _T, _D)), h0=_g.normal(size=(_N, _H)),
               Wx=_g.normal(size=(_D, 4 * _H)) * 0.5, Wh=_g.normal(size=(_H, 4 * _H)) * 0.5, b=_g.normal(size=4 * _H))
# your function gets positional arguments, in the order of _inputs: the parameter names are yours
_h, _cache = lstm_forward(*_inputs.values())
_dh = np.zeros((_N, _T, _H))
_dh[:, -1] = _g.normal(size=(_N, _H))  # a loss on the last step only
_dh_before = _dh.copy()
_grads = lstm_backward(_dh, _cache)
assert np.array_equal(_dh, _dh_before), "lstm_backward changed its argument dh in place"
assert len(_grads) == 5, "return five gradients: dx, dh0, dWx, dWh, db"
for _name, _grad in zip(_inputs, _grads):
    assert np.shape(_grad) == np.shape(_inputs[_name]), (
        f"d{_name} should have the shape of {_name}, {np.shape(_inputs[_name])}; got {np.shape(_grad)}")
_num_dh0 = numerical_gradient(lambda v: lstm_forward(*{**_inputs, "h0": v}.values())[0], _inputs["h0"], _dh)
assert_close(_grads[1], _num_dh0, name="dh0 with a loss on the last step only (are dh and dc carried back?)",
             rtol=1e-5, atol=1e-7)
### BEGIN HIDDEN TESTS
import torch

import course_lib.numpy_nn.lstm as _ref
from course_lib.grading import reference_blocked
from course_lib.torch_nn.lstm import LSTM as _RefLSTM
from course_lib.torch_nn.lstm import LSTMCell as _RefCell

_blocked = (_ref.sigmoid, _ref.lstm_step_forward, _ref.lstm_step_backward, _ref.lstm_forward, _ref.lstm_backward,
            _RefCell.forward, _RefLSTM.forward)
torch.manual_seed(6)
_N, _T, _D, _H = 3, 5, 3, 4
_lstm = torch.nn.LSTM(_D, _H, batch_first=True).double()
with torch.no_grad():
    for _p in _lstm.parameters():
        _p.uniform_(-0.6, 0.6)
    _lstm.bias_ih_l0[_H:2 * _H] += 1.5  # a forget gate near 1, so that a dropped dc shows up clearly
_g = np.random.default_rng(66)
_inputs = dict(x=_g.normal(size=(_N, _T, _D)), h0=_g.normal(size=(_N, _H)))
_inputs.update(Wx=_lstm.weight_ih_l0.detach().numpy().T.copy(), Wh=_lstm.weight_hh_l0.detach().numpy().T.copy(),
               b=(_lstm.bias_ih_l0 + _lstm.bias_hh_l0).detach().numpy())


def _torch_grads(dh):
    """Oracle: PyTorch autograd through nn.LSTM (c0 = 0), gradients in the NumPy layout."""
    _lstm.zero_grad()
    x = torch.tensor(_inputs["x"], requires_grad=True)
    h0 = torch.tensor(_inputs["h0"][None], requires_grad=True)
    (_lstm(x, (h0, torch.zeros_like(h0)))[0] * torch.from_numpy(dh)).sum().backward()
    return dict(x=x.grad.numpy(), h0=h0.grad[0].numpy(), Wx=_lstm.weight_ih_l0.grad.numpy().T,
                Wh=_lstm.weight_hh_l0.grad.numpy().T, b=_lstm.bias_ih_l0.grad.numpy())


def _formula(x, h0, Wx, Wh, b):
    """Oracle: the LSTM written out, gate order [i, f, g, o]."""
    H = h0.shape[1]
    s = lambda v: 0.5 * (1 + np.tanh(v / 2))  # noqa: E731
    hs, h, c = [], h0, np.zeros_like(h0)
    for t in range(x.shape[1]):
        a = x[:, t] @ Wx + h @ Wh + b
        c = s(a[:, H:2 * H]) * c + s(a[:, :H]) * np.tanh(a[:, 2 * H:3 * H])
        h = s(a[:, 3 * H:]) * np.tanh(c)
        hs.append(h)
    return np.stack(hs, axis=1)


_upstreams = {"a loss on every step": _g.normal(size=(_N, _T, _H))}
_only_last = np.zeros((_N, _T, _H))
_only_last[:, -1] = _g.normal(size=(_N, _H))
_upstreams["a loss on the last step only"] = _only_last
for _what, _dh in _upstreams.items():
    _dh_arg = _dh.copy()
    with reference_blocked(*_blocked):
        _h, _cache = lstm_forward(*(v.copy() for v in _inputs.values()))
        _grads = lstm_backward(_dh_arg, _cache)
    assert np.array_equal(_dh_arg, _dh), "lstm_backward changed its argument dh in place"
    _expected = _torch_grads(_dh)
    for _name, _grad in zip(_inputs, _grads):
        assert_close(_grad, _expected[_name], name=f"d{_name} with {_what} (against PyTorch autograd)")
_dh = _upstreams["a loss on every step"]
with reference_blocked(*_blocked):
    _grads = lstm_backward(_dh.copy(), lstm_forward(*(v.copy() for v in _inputs.values()))[1])
for _name in ("h0", "Wh", "b"):
    _num = numerical_gradient(lambda v, n=_name: _formula(**{**_inputs, n: v}), _inputs[_name], _dh)
    _grad = _grads[list(_inputs).index(_name)]
    assert_close(_grad, _num, name=f"d{_name} (against a float64 numerical gradient)", rtol=1e-5, atol=1e-7)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 6 — one GRU step (3 points)
#
# `torch.nn.GRUCell` stacks three blocks in the order `[r, z, n]` (reset, update, new) and keeps
# its two biases apart, because the reset gate multiplies the hidden part **including its bias**:
#
# $$
# \begin{aligned}
# r &= \sigma(x W_{x,r} + b_{x,r} + h W_{h,r} + b_{h,r}), \qquad
# z = \sigma(x W_{x,z} + b_{x,z} + h W_{h,z} + b_{h,z}) \\
# n &= \tanh\big(x W_{x,n} + b_{x,n} + r \odot (h W_{h,n} + b_{h,n})\big), \qquad
# h_\text{next} = (1 - z) \odot n + z \odot h.
# \end{aligned}
# $$
#
# `Wx` is `(D, 3H)`, `Wh` is `(H, 3H)`, `bx` and `bh` are `(3H,)` (PyTorch's `bias_ih`, `bias_hh`).
# Return `h_next` only.

# %% nbgrader={"grade": false, "grade_id": "gru_step_forward", "locked": false, "schema_version": 3, "solution": true}
def gru_step_forward(x, h_prev, Wx, Wh, bx, bh):
    """x (N, D), h_prev (N, H), Wx (D, 3H), Wh (H, 3H), bx (3H,), bh (3H,) -> h_next (N, H)."""
    ### BEGIN SOLUTION
    H = h_prev.shape[1]
    ax, ah = x @ Wx + bx, h_prev @ Wh + bh
    r = sigmoid(ax[:, :H] + ah[:, :H])
    z = sigmoid(ax[:, H:2 * H] + ah[:, H:2 * H])
    n = np.tanh(ax[:, 2 * H:] + r * ah[:, 2 * H:])
    return (1 - z) * n + z * h_prev
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_gru_step_forward", "locked": true, "points": 3, "schema_version": 3, "solution": false}
import numpy as np

from course_lib.grading import assert_close

_N, _D, _H = 2, 3, 4
_x = np.linspace(-1, 1, _N * _D).reshape(_N, _D)
_h = np.linspace(-0.5, 0.5, _N * _H).reshape(_N, _H)
_Wx, _Wh = np.full((_D, 3 * _H), 0.1), np.full((_H, 3 * _H), -0.2)
_bx = np.zeros(3 * _H)
_bx[_H:2 * _H] = 40.0  # update gate z = sigma(40) = 1 (to 1e-17): the state is kept as it is
_h_before = _h.copy()
_out = gru_step_forward(_x, _h, _Wx, _Wh, _bx, np.zeros(3 * _H))
assert np.array_equal(_h, _h_before), "gru_step_forward changed its argument h_prev in place"
assert np.shape(_out) == (_N, _H), f"h_next should have shape (N, H) = {(_N, _H)}, got {np.shape(_out)}"
assert_close(_out, _h, name="h_next with the update gate z = 1 (h_next = (1 - z) * n + z * h_prev = h_prev)")
### BEGIN HIDDEN TESTS
import torch

import course_lib.numpy_nn.gru as _ref
import course_lib.numpy_nn.lstm as _ref_lstm
from course_lib.grading import reference_blocked
from course_lib.torch_nn.gru import GRU as _RefGRU
from course_lib.torch_nn.gru import GRUCell as _RefCell

_blocked = (_ref_lstm.sigmoid, _ref.gru_step_forward, _ref.gru_forward, _RefCell.forward, _RefGRU.forward)
torch.manual_seed(7)
_N, _D, _H = 3, 4, 5
_cell = torch.nn.GRUCell(_D, _H).double()
with torch.no_grad():
    for _p in _cell.parameters():
        _p.uniform_(-0.8, 0.8)
    _cell.bias_hh.uniform_(-2.0, 2.0)  # large hidden biases: where b_hn sits matters
_args = (_cell.weight_ih.detach().numpy().T.copy(), _cell.weight_hh.detach().numpy().T.copy(),
         _cell.bias_ih.detach().numpy().copy(), _cell.bias_hh.detach().numpy().copy())
_g = np.random.default_rng(77)
for _trial in range(2):
    _x, _h = _g.normal(size=(_N, _D)), _g.normal(size=(_N, _H))
    _expected = _cell(torch.from_numpy(_x), torch.from_numpy(_h)).detach().numpy()
    _call = [a.copy() for a in (_x, _h, *_args)]
    with reference_blocked(*_blocked):
        _got = gru_step_forward(*_call)
    assert np.asarray(_got).dtype == np.float64, (
        f"h_next should be float64 like its inputs, got {np.asarray(_got).dtype}")
    assert_close(_got, _expected, name="h_next (against torch.nn.GRUCell with the same weights)")
    for _a, _orig, _n in zip(_call, (_x, _h, *_args), ("x", "h_prev", "Wx", "Wh", "bx", "bh")):
        assert np.array_equal(_a, _orig), f"gru_step_forward changed its argument {_n} in place"
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 7 — how much gradient survives? (2 points)
#
# Chapter 3 measured vanishing gradients for the plain RNN. Now measure them with **your own**
# LSTM. Write `gradient_ratio(forward, backward, x, h0, params)` for any recurrent layer given as
# a forward/backward pair with the interface of this assignment (`forward(x, h0, *params)`
# returns `(h, cache)`; `backward(dh, cache)` returns a tuple whose second entry is `dh0`). It
# returns
#
# $$
# \rho = \frac{\lVert \partial L_T / \partial h_0 \rVert}{\lVert \partial L_1 / \partial h_0 \rVert},
# \qquad L_t = \textstyle\sum h_t \ \text{(the sum of every entry of the hidden state at step } t\text{)},
# $$
#
# with Frobenius norms over `(N, H)`: how much of the gradient that reaches $h_0$ from the last
# step is left, compared with what reaches it from the first step. Use one forward pass and two
# backward passes (an upstream `dh` of ones on the last step only, then on the first step only).

# %% nbgrader={"grade": false, "grade_id": "gradient_ratio", "locked": false, "schema_version": 3, "solution": true}
def gradient_ratio(forward, backward, x, h0, params):
    """x (N, T, D), h0 (N, H), params: tuple of weights -> float ||dL_T/dh0|| / ||dL_1/dh0||."""
    ### BEGIN SOLUTION
    h, cache = forward(x, h0, *params)
    norms = []
    for step in (-1, 0):
        dh = np.zeros_like(h)
        dh[:, step] = 1.0
        norms.append(np.linalg.norm(backward(dh, cache)[1]))
    return float(norms[0] / norms[1])
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_gradient_ratio", "locked": true, "points": 2, "schema_version": 3, "solution": false}
import numpy as np

from course_lib.grading import assert_close


def _linear_forward(x, h0, A):
    """A linear recurrence h_t = h_{t-1} A (x is ignored): dL_t/dh0 = 1 (A^t)^T."""
    hs, h = [], h0
    for _ in range(x.shape[1]):
        h = h @ A
        hs.append(h)
    return np.stack(hs, axis=1), (A, x.shape)


def _linear_backward(dh, cache):
    A, shape = cache
    carry = np.zeros_like(dh[:, 0])
    for t in reversed(range(shape[1])):
        carry = (dh[:, t] + carry) @ A.T
    return np.zeros(shape), carry, np.zeros_like(A)


_rho = gradient_ratio(_linear_forward, _linear_backward, np.zeros((2, 4, 1)), np.ones((2, 3)), (0.5 * np.eye(3),))
assert np.ndim(_rho) == 0, f"gradient_ratio should return one number, got shape {np.shape(_rho)}"
assert_close(_rho, 0.5**3,
             name="gradient_ratio of h_t = 0.5 h_{t-1} over T = 4 steps (0.5^4 / 0.5^1)")
### BEGIN HIDDEN TESTS
import course_lib.numpy_nn.lstm as _ref_lstm
import course_lib.numpy_nn.rnn as _ref_rnn

_g = np.random.default_rng(8)
_A = _g.normal(size=(4, 4)) * 0.6
_N, _T = 3, 5
_rho = gradient_ratio(_linear_forward, _linear_backward, np.zeros((_N, _T, 1)), _g.normal(size=(_N, 4)), (_A.copy(),))
_ones = np.ones((_N, 4))
_expected = np.linalg.norm(_ones @ np.linalg.matrix_power(_A, _T).T) / np.linalg.norm(_ones @ _A.T)
assert_close(_rho, _expected,
             name="gradient_ratio of a random linear recurrence (against the exact value)")


# every row of dL/dh0 above is the same vector; here each sample has its own scale, so a ratio of
# row norms, an average over samples or the first sample alone all differ from the (N, H) norms
def _scaled_forward(x, h0, A):
    """h_t = (h_{t-1} A) * s_t, s_t = x[:, t, 0] per sample: dL_t/dh0[n] = prod_{k<t} s_k[n] 1 (A^t)^T."""
    hs, h = [], h0
    for t in range(x.shape[1]):
        h = (h @ A) * x[:, t, :1]
        hs.append(h)
    return np.stack(hs, axis=1), (A, x)


def _scaled_backward(dh, cache):
    A, x = cache
    carry = np.zeros_like(dh[:, 0])
    for t in reversed(range(x.shape[1])):
        carry = ((dh[:, t] + carry) * x[:, t, :1]) @ A.T
    return np.zeros_like(x), carry, np.zeros_like(A)


_g2 = np.random.default_rng(81)  # its own generator: the draws of _g below stay as they were
_s = _g2.uniform(0.3, 1.5, size=(_N, _T, 1))
_rho = gradient_ratio(_scaled_forward, _scaled_backward, _s.copy(), _g2.normal(size=(_N, 4)), (_A.copy(),))
_vT, _v1 = _ones[0] @ np.linalg.matrix_power(_A, _T).T, _ones[0] @ _A.T
_expected = (np.linalg.norm(_vT) * np.linalg.norm(np.prod(_s[:, :, 0], axis=1))
             / (np.linalg.norm(_v1) * np.linalg.norm(_s[:, 0, 0])))
assert_close(_rho, _expected,
             name="gradient_ratio when each sample's gradient has its own scale (norms over (N, H))")

# the property of the chapter, measured with your own LSTM: the plain tanh RNN's gradient dies
# out over 40 steps, an LSTM whose forget gates start open (bias +4) keeps far more of it, and the
# same LSTM with closed forget gates (bias -4) loses it too
_N, _T, _D, _H = 4, 40, 3, 8
_x, _h0 = _g.normal(size=(_N, _T, _D)), _g.normal(size=(_N, _H)) * 0.1
_scale = 0.5 / np.sqrt(_H)  # small recurrent weights: a typical well-behaved initialisation
_rnn = (_g.normal(size=(_D, _H)) * _scale, _g.normal(size=(_H, _H)) * _scale, np.zeros(_H))
_Wx, _Wh = _g.normal(size=(_D, 4 * _H)) * _scale, _g.normal(size=(_H, 4 * _H)) * _scale
_open, _closed = np.zeros(4 * _H), np.zeros(4 * _H)
_open[_H:2 * _H], _closed[_H:2 * _H] = 4.0, -4.0
_rho_rnn = gradient_ratio(_ref_rnn.rnn_forward, _ref_rnn.rnn_backward, _x, _h0, _rnn)
_rho_open = gradient_ratio(lstm_forward, lstm_backward, _x, _h0, (_Wx, _Wh, _open))
_rho_closed = gradient_ratio(lstm_forward, lstm_backward, _x, _h0, (_Wx, _Wh, _closed))
assert _rho_rnn < 1e-6, f"the tanh RNN should keep almost nothing after {_T} steps, got ratio {_rho_rnn:.3g}"
assert _rho_open > 1e-2, f"your LSTM with forget bias +4 keeps ratio {_rho_open:.3g}; expected well above 1e-2"
assert _rho_open > 1e4 * max(_rho_rnn, _rho_closed), (
    f"ratios: RNN {_rho_rnn:.3g}, LSTM with forget bias +4 {_rho_open:.3g}, with -4 {_rho_closed:.3g}; "
    "the open forget gate should keep orders of magnitude more gradient")
### END HIDDEN TESTS

# %% [markdown]
# ## Putting it together — gradient flow over sequence length (not graded)
#
# The cell below uses your `gradient_ratio` and your LSTM to draw the chapter's picture: the
# ratio against the sequence length for a tanh RNN and for LSTMs with different forget-gate
# biases. It is skipped while the notebook is graded.

# %% nbgrader={"grade": false, "grade_id": "gradient_plot", "locked": true, "schema_version": 3, "solution": false}
from course_lib.grading import in_autograder

if not in_autograder():
    import matplotlib.pyplot as plt

    from course_lib.numpy_nn.rnn import rnn_backward, rnn_forward

    demo = np.random.default_rng(0)
    N, D, H, lengths = 4, 3, 8, range(2, 61, 4)
    x, h0 = demo.normal(size=(N, max(lengths), D)), demo.normal(size=(N, H)) * 0.1
    scale = 0.5 / np.sqrt(H)
    rnn_params = (demo.normal(size=(D, H)) * scale, demo.normal(size=(H, H)) * scale, np.zeros(H))
    Wx, Wh = demo.normal(size=(D, 4 * H)) * scale, demo.normal(size=(H, 4 * H)) * scale
    curves = {"tanh RNN": [gradient_ratio(rnn_forward, rnn_backward, x[:, :T], h0, rnn_params) for T in lengths]}
    for forget_bias in (0.0, 2.0, 4.0):
        b = np.zeros(4 * H)
        b[H:2 * H] = forget_bias
        curves[f"LSTM, forget bias {forget_bias:g}"] = [
            gradient_ratio(lstm_forward, lstm_backward, x[:, :T], h0, (Wx, Wh, b)) for T in lengths]
    fig, ax = plt.subplots()
    for label, ratios in curves.items():
        ax.semilogy(list(lengths), ratios, marker="o", markersize=3, label=label)
    ax.set_xlabel("sequence length T")
    ax.set_ylabel("gradient ratio ||dL_T/dh0|| / ||dL_1/dh0||")
    ax.legend()
    plt.show()
