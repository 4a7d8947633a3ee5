"""Correct: sigmoid by boolean masks, list caches that keep c_next and recompute tanh, dict-of-steps cache."""
EXPECT = {}

# %% sigmoid
def sigmoid(x):
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    e = np.exp(x[~pos])
    out[~pos] = e / (1.0 + e)
    return out

# %% lstm_step_forward
def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    a = np.dot(np.hstack([x, h_prev]), np.vstack([Wx, Wh])) + b
    H = a.shape[1] // 4
    i, f, g, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])
    c_next = np.add(np.multiply(f, c_prev), np.multiply(i, g))
    return o * np.tanh(c_next), c_next, [x, h_prev, c_prev, c_next, np.hstack([i, f, g, o]), Wx, Wh]

# %% lstm_step_backward
def lstm_step_backward(dh_next, dc_next, cache):
    x, h_prev, c_prev, c_next, gates, Wx, Wh = cache
    i, f, g, o = np.hsplit(gates, 4)
    dc = dh_next * o * (1 - np.tanh(c_next) ** 2) + dc_next
    d_gates = np.hstack([dc * g, dc * c_prev, dc * i, dh_next * np.tanh(c_next)])
    local = np.hstack([i * (1 - i), f * (1 - f), 1 - g * g, o * (1 - o)])
    da = d_gates * local
    W = np.vstack([Wx, Wh])
    dxh = da @ W.T
    D = x.shape[1]
    dW = np.hstack([x, h_prev]).T @ da
    return dxh[:, :D], dxh[:, D:], dc * f, dW[:D], dW[D:], np.sum(da, axis=0)

# %% lstm_forward
def lstm_forward(x, h0, Wx, Wh, b):
    T = x.shape[1]
    out, steps = [], {}
    h, c = h0, 0 * h0
    for t in range(T):
        h, c, steps[t] = lstm_step_forward(x[:, t, :], h, c, Wx, Wh, b)
        out.append(h[:, None, :])
    return np.concatenate(out, axis=1), steps

# %% lstm_backward
def lstm_backward(dh, cache):
    T = dh.shape[1]
    dx = [None] * T
    total = None
    dh_t, dc_t = 0.0 * dh[:, 0], 0.0 * dh[:, 0]
    for t in sorted(cache, reverse=True):
        dx[t], dh_t, dc_t, dWx, dWh, db = lstm_step_backward(dh[:, t] + dh_t, dc_t, cache[t])
        total = (dWx, dWh, db) if total is None else tuple(a + b for a, b in zip(total, (dWx, dWh, db)))
    return (np.stack(dx, axis=1), dh_t) + total

# %% gru_step_forward
def gru_step_forward(x, h_prev, Wx, Wh, bx, bh):
    H = h_prev.shape[1]
    ax = x @ Wx + bx
    ah = h_prev @ Wh + bh
    rz = sigmoid(ax[:, :2 * H] + ah[:, :2 * H])
    r, z = rz[:, :H], rz[:, H:]
    n = np.tanh(ax[:, 2 * H:] + r * ah[:, 2 * H:])
    return z * h_prev + n - z * n
