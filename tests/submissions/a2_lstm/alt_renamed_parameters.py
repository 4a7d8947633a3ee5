"""Correct: every parameter renamed (CS231n's prev_h, prev_c, dnext_h, dnext_c; W_x for Wx; z for
x ...): tests must call student functions by position in the contract's order, never by name."""
EXPECT = {}

# %% sigmoid
def sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

# %% lstm_step_forward
def lstm_step_forward(x_t, prev_h, prev_c, W_x, W_h, bias):
    H = prev_h.shape[1]
    a = x_t @ W_x + prev_h @ W_h + bias
    i, f = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H])
    g, o = np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])
    next_c = f * prev_c + i * g
    tanh_c = np.tanh(next_c)
    next_h = o * tanh_c
    return next_h, next_c, (x_t, prev_h, prev_c, i, f, g, o, tanh_c, W_x, W_h)

# %% lstm_step_backward
def lstm_step_backward(dnext_h, dnext_c, step_cache):
    x_t, prev_h, prev_c, i, f, g, o, tanh_c, W_x, W_h = step_cache
    dc = dnext_c + dnext_h * o * (1 - tanh_c**2)
    da = np.concatenate([dc * g * i * (1 - i), dc * prev_c * f * (1 - f), dc * i * (1 - g**2),
                         dnext_h * tanh_c * o * (1 - o)], axis=1)
    return da @ W_x.T, da @ W_h.T, dc * f, x_t.T @ da, prev_h.T @ da, da.sum(axis=0)

# %% lstm_forward
def lstm_forward(inputs, h_init, W_x, W_h, bias):
    N, T, _ = inputs.shape
    hs = np.zeros((N, T, h_init.shape[1]))
    h_t, c_t, steps = h_init, np.zeros_like(h_init), []
    for t in range(T):
        h_t, c_t, step = lstm_step_forward(inputs[:, t], h_t, c_t, W_x, W_h, bias)
        hs[:, t] = h_t
        steps.append(step)
    return hs, steps

# %% lstm_backward
def lstm_backward(dhs, fwd_cache):
    N, T, H = dhs.shape
    D = fwd_cache[0][0].shape[1]
    dinputs = np.zeros((N, T, D))
    dW_x, dW_h, dbias = np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), np.zeros(4 * H)
    dprev_h, dprev_c = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)):
        dinputs[:, t], dprev_h, dprev_c, dW_x_t, dW_h_t, dbias_t = lstm_step_backward(
            dhs[:, t] + dprev_h, dprev_c, fwd_cache[t])
        dW_x, dW_h, dbias = dW_x + dW_x_t, dW_h + dW_h_t, dbias + dbias_t
    return dinputs, dprev_h, dW_x, dW_h, dbias

# %% gru_step_forward
def gru_step_forward(x_t, prev_h, W_x, W_h, b_x, b_h):
    H = prev_h.shape[1]
    ax, ah = x_t @ W_x + b_x, prev_h @ W_h + b_h
    r = sigmoid(ax[:, :H] + ah[:, :H])
    z = sigmoid(ax[:, H:2 * H] + ah[:, H:2 * H])
    n = np.tanh(ax[:, 2 * H:] + r * ah[:, 2 * H:])
    return (1 - z) * n + z * prev_h

# %% gradient_ratio
def gradient_ratio(fwd, bwd, inputs, h_init, weights):
    hs, fwd_cache = fwd(inputs, h_init, *weights)
    norms = []
    for step in (-1, 0):
        upstream = np.zeros_like(hs)
        upstream[:, step] = 1.0
        norms.append(np.linalg.norm(bwd(upstream, fwd_cache)[1]))
    return float(norms[0] / norms[1])
