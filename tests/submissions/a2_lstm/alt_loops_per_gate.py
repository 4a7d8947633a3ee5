"""Correct: tanh-identity sigmoid, one weight slice per gate, object caches, no reuse of the step functions."""
EXPECT = {}

# %% sigmoid
def sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=float)))

# %% lstm_step_forward
from types import SimpleNamespace


def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    gates = {}
    for k, name in enumerate("ifgo"):
        cols = slice(k * H, (k + 1) * H)
        pre = x @ Wx[:, cols] + h_prev @ Wh[:, cols] + b[cols]
        gates[name] = np.tanh(pre) if name == "g" else sigmoid(pre)
    c_next = gates["f"] * c_prev + gates["i"] * gates["g"]
    h_next = gates["o"] * np.tanh(c_next)
    return h_next, c_next, SimpleNamespace(x=x, h_prev=h_prev, c_prev=c_prev, c_next=c_next, Wx=Wx, Wh=Wh, **gates)

# %% lstm_step_backward
def lstm_step_backward(dh_next, dc_next, cache):
    s = cache
    H = s.h_prev.shape[1]
    tc = np.tanh(s.c_next)
    dc = dc_next + dh_next * s.o * (1 - tc**2)
    local = {"i": dc * s.g * s.i * (1 - s.i), "f": dc * s.c_prev * s.f * (1 - s.f),
             "g": dc * s.i * (1 - s.g**2), "o": dh_next * tc * s.o * (1 - s.o)}
    dx, dh_prev = np.zeros_like(s.x), np.zeros_like(s.h_prev)
    dWx, dWh, db = np.zeros_like(s.Wx), np.zeros_like(s.Wh), np.zeros(4 * H)
    for k, name in enumerate("ifgo"):
        cols = slice(k * H, (k + 1) * H)
        dx += local[name] @ s.Wx[:, cols].T
        dh_prev += local[name] @ s.Wh[:, cols].T
        dWx[:, cols] = s.x.T @ local[name]
        dWh[:, cols] = s.h_prev.T @ local[name]
        db[cols] = local[name].sum(axis=0)
    return dx, dh_prev, dc * s.f, dWx, dWh, db

# %% lstm_forward
def lstm_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    H = h0.shape[1]
    hs = np.zeros((N, T + 1, H))
    cs = np.zeros((N, T + 1, H))
    acts = np.zeros((N, T, 4 * H))
    hs[:, 0] = h0
    for t in range(T):
        a = x[:, t] @ Wx + hs[:, t] @ Wh + b
        act = np.concatenate([sigmoid(a[:, :2 * H]), np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])], axis=1)
        acts[:, t] = act
        cs[:, t + 1] = act[:, H:2 * H] * cs[:, t] + act[:, :H] * act[:, 2 * H:3 * H]
        hs[:, t + 1] = act[:, 3 * H:] * np.tanh(cs[:, t + 1])
    return hs[:, 1:].copy(), (x, hs, cs, acts, Wx, Wh)

# %% lstm_backward
def lstm_backward(dh, cache):
    x, hs, cs, acts, Wx, Wh = cache
    N, T, H = dh.shape
    dx = np.zeros_like(x)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(4 * H)
    dh_next, dc_next = np.zeros((N, H)), np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        i, f, g, o = (acts[:, t, k * H:(k + 1) * H] for k in range(4))
        tc = np.tanh(cs[:, t + 1])
        dht = dh[:, t] + dh_next
        dc = dc_next + dht * o * (1 - tc**2)
        da = np.hstack([dc * g * i * (1 - i), dc * cs[:, t] * f * (1 - f), dc * i * (1 - g**2), dht * tc * o * (1 - o)])
        dx[:, t] = da @ Wx.T
        dWx += x[:, t].T @ da
        dWh += hs[:, t].T @ da
        db += da.sum(axis=0)
        dh_next, dc_next = da @ Wh.T, dc * f
    return dx, dh_next, dWx, dWh, db

# %% gru_step_forward
def gru_step_forward(x, h_prev, Wx, Wh, bx, bh):
    H = h_prev.shape[1]
    part = lambda W, k: W[..., k * H:(k + 1) * H]  # noqa: E731
    r = sigmoid(x @ part(Wx, 0) + part(bx, 0) + h_prev @ part(Wh, 0) + part(bh, 0))
    z = sigmoid(x @ part(Wx, 1) + part(bx, 1) + h_prev @ part(Wh, 1) + part(bh, 1))
    n = np.tanh(x @ part(Wx, 2) + part(bx, 2) + r * (h_prev @ part(Wh, 2)) + r * part(bh, 2))
    return h_prev + (1 - z) * (n - h_prev)

# %% gradient_ratio
def gradient_ratio(forward, backward, x, h0, params):
    norms = {}
    for step in (0, x.shape[1] - 1):
        h, cache = forward(x, h0, *params)
        dh = np.zeros(h.shape)
        dh[:, step] = np.ones(h.shape[::2])
        norms[step] = np.linalg.norm(backward(dh, cache)[1].ravel())
    return norms[x.shape[1] - 1] / norms[0]
