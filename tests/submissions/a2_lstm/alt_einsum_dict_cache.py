"""Correct: log-sum-exp sigmoid, einsum everywhere, dict caches holding the pre-activation."""
EXPECT = {}

# %% sigmoid
def sigmoid(x):
    return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))

# %% lstm_step_forward
def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    a = np.einsum("nd,dk->nk", x, Wx) + np.einsum("nh,hk->nk", h_prev, Wh) + b
    a_i, a_f, a_g, a_o = np.split(a, 4, axis=-1)
    c_next = sigmoid(a_f) * c_prev + sigmoid(a_i) * np.tanh(a_g)
    h_next = sigmoid(a_o) * np.tanh(c_next)
    return h_next, c_next, {"a": a, "x": x, "h": h_prev, "c": c_prev, "c_next": c_next, "Wx": Wx, "Wh": Wh}

# %% lstm_step_backward
def lstm_step_backward(dh_next, dc_next, cache):
    a_i, a_f, a_g, a_o = np.split(cache["a"], 4, axis=-1)
    i, f, g, o = sigmoid(a_i), sigmoid(a_f), np.tanh(a_g), sigmoid(a_o)
    t = np.tanh(cache["c_next"])
    dc = dc_next + np.einsum("nh,nh->nh", dh_next, o * (1 - t * t))
    da = np.concatenate([dc * g * i * (1 - i), dc * cache["c"] * f * (1 - f), dc * i / np.cosh(a_g) ** 2,
                         dh_next * t * o * (1 - o)], axis=-1)
    return (np.einsum("nk,dk->nd", da, cache["Wx"]), np.einsum("nk,hk->nh", da, cache["Wh"]), dc * f,
            np.einsum("nd,nk->dk", cache["x"], da), np.einsum("nh,nk->hk", cache["h"], da), np.einsum("nk->k", da))

# %% lstm_forward
def lstm_forward(x, h0, Wx, Wh, b):
    h, c = h0, np.zeros_like(h0)
    hs, caches = [], []
    for x_t in np.moveaxis(x, 1, 0):
        h, c, step = lstm_step_forward(x_t, h, c, Wx, Wh, b)
        hs.append(h)
        caches.append(step)
    return np.stack(hs, axis=1), {"steps": caches}

# %% lstm_backward
def lstm_backward(dh, cache):
    dh_carry = dc_carry = np.zeros_like(dh[:, 0])
    grads, dxs = None, []
    for t in range(len(cache["steps"]) - 1, -1, -1):
        dx_t, dh_carry, dc_carry, *dparams = lstm_step_backward(dh[:, t] + dh_carry, dc_carry, cache["steps"][t])
        grads = dparams if grads is None else [p + q for p, q in zip(grads, dparams)]
        dxs.append(dx_t)
    return (np.stack(dxs[::-1], axis=1), dh_carry, *grads)

# %% gru_step_forward
def gru_step_forward(x, h_prev, Wx, Wh, bx, bh):
    gx = np.einsum("nd,dk->nk", x, Wx) + bx
    gh = np.einsum("nh,hk->nk", h_prev, Wh) + bh
    (xr, xz, xn), (hr, hz, hn) = np.split(gx, 3, axis=1), np.split(gh, 3, axis=1)
    r, z = sigmoid(xr + hr), sigmoid(xz + hz)
    return (1 - z) * np.tanh(xn + r * hn) + z * h_prev

# %% gradient_ratio
def gradient_ratio(forward, backward, x, h0, params):
    h, cache = forward(x, h0, *params)
    last, first = np.zeros_like(h), np.zeros_like(h)
    last[:, -1] = 1
    first[:, 0] = 1
    return float(np.sqrt(np.sum(backward(last, cache)[1] ** 2) / np.sum(backward(first, cache)[1] ** 2)))
