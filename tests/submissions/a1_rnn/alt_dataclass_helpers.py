"""Correct: a dataclass cache, small helper functions, the tanh derivative from the
pre-activation, BPTT with the upstream added to a copy of dh in place."""
EXPECT = {}

# %% one_hot
def one_hot(indices, vocab_size):
    indices = np.asarray(indices)
    if indices.size and not (0 <= indices.min() and indices.max() < vocab_size):
        raise ValueError("ids must lie in [0, vocab_size)")
    out = np.zeros(indices.shape + (vocab_size,), dtype=float)
    np.put_along_axis(out, np.expand_dims(indices, -1), 1.0, axis=-1)
    return out

# %% rnn_step_forward
from dataclasses import dataclass


@dataclass
class StepCache:
    x: np.ndarray
    h_prev: np.ndarray
    a: np.ndarray
    Wx: np.ndarray
    Wh: np.ndarray


def _affine(x, h, Wx, Wh, b):
    return x @ Wx + h @ Wh + b


def rnn_step_forward(x, h_prev, Wx, Wh, b):
    a = _affine(x, h_prev, Wx, Wh, b)
    return np.tanh(a), StepCache(x, h_prev, a, Wx, Wh)

# %% rnn_step_backward
def _dtanh(a):
    return 1.0 - np.tanh(a) ** 2


def rnn_step_backward(dh_next, cache):
    da = dh_next * _dtanh(cache.a)
    return (da @ cache.Wx.T, da @ cache.Wh.T, cache.x.T @ da, cache.h_prev.T @ da, da.sum(axis=0))

# %% rnn_forward
def rnn_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    h = np.zeros((N, T, Wh.shape[1]))
    caches = []
    for t in range(T):
        h[:, t], c = rnn_step_forward(x[:, t], h0 if t == 0 else h[:, t - 1], Wx, Wh, b)
        caches.append(c)
    return h, caches

# %% rnn_backward
def rnn_backward(dh, cache):
    dh = dh.copy()                       # our own copy: adding into it in place is safe
    N, T, H = dh.shape
    D = cache[0].x.shape[1]
    dx = np.zeros((N, T, D))
    dWx, dWh, db = np.zeros((D, H)), np.zeros((H, H)), np.zeros(H)
    dh0 = None
    for t in range(T - 1, -1, -1):
        dx[:, t], dprev, gWx, gWh, gb = rnn_step_backward(dh[:, t], cache[t])
        dWx += gWx
        dWh += gWh
        db += gb
        if t > 0:
            dh[:, t - 1] += dprev
        else:
            dh0 = dprev
    return dx, dh0, dWx, dWh, db
