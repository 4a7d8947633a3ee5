"""Correct: einsum everywhere, caches as dicts, backward recomputes from the pre-activation."""
EXPECT = {}

# %% one_hot
def one_hot(indices, vocab_size):
    indices = np.asarray(indices)
    if np.any((indices < 0) | (indices >= vocab_size)):
        raise ValueError("index out of range")
    out = np.zeros(indices.shape + (vocab_size,))
    np.put_along_axis(out, indices[..., None], 1.0, axis=-1)
    return out

# %% rnn_step_forward
def rnn_step_forward(x, h_prev, Wx, Wh, b):
    a = np.einsum("nd,dh->nh", x, Wx) + np.einsum("nk,kh->nh", h_prev, Wh) + b[None, :]
    return np.tanh(a), {"x": x, "h_prev": h_prev, "a": a, "Wx": Wx, "Wh": Wh}

# %% rnn_step_backward
def rnn_step_backward(dh_next, cache):
    da = dh_next / np.cosh(cache["a"]) ** 2
    dx = np.einsum("nh,dh->nd", da, cache["Wx"])
    dh_prev = np.einsum("nh,kh->nk", da, cache["Wh"])
    dWx = np.einsum("nd,nh->dh", cache["x"], da)
    dWh = np.einsum("nk,nh->kh", cache["h_prev"], da)
    return dx, dh_prev, dWx, dWh, np.einsum("nh->h", da)

# %% rnn_forward
def rnn_forward(x, h0, Wx, Wh, b):
    states, caches = [], []
    h = h0
    for x_t in np.moveaxis(x, 1, 0):
        h, c = rnn_step_forward(x_t, h, Wx, Wh, b)
        states.append(h)
        caches.append(c)
    return np.stack(states, axis=1), {"steps": caches, "D": x.shape[2]}

# %% rnn_backward
def rnn_backward(dh, cache):
    steps = cache["steps"]
    grads = None
    carry = np.zeros_like(dh[:, 0])
    dxs = []
    for t in range(len(steps) - 1, -1, -1):
        dx_t, carry, *dparams = rnn_step_backward(dh[:, t] + carry, steps[t])
        grads = dparams if grads is None else [g + d for g, d in zip(grads, dparams)]
        dxs.append(dx_t)
    return (np.stack(dxs[::-1], axis=1), carry, *grads)
