"""Correct: caches are closures, np.split into gates, the sigmoid by np.piecewise-free masking with
np.exp of -|x|, lstm_forward with the step's cache functions chained."""
EXPECT = {}

# %% sigmoid
def sigmoid(x):
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(-np.abs(x))               # never overflows
    pos = 1.0 / (1.0 + e)
    return np.where(x >= 0, pos, 1.0 - pos)

# %% lstm_step_forward
def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    a_i, a_f, a_g, a_o = np.split(x @ Wx + h_prev @ Wh + b, 4, axis=1)
    i, f, g, o = sigmoid(a_i), sigmoid(a_f), np.tanh(a_g), sigmoid(a_o)
    c_next = f * c_prev + i * g
    tc = np.tanh(c_next)
    h_next = o * tc

    def backward(dh_next, dc_next):
        dc = dc_next + dh_next * o * (1 - tc**2)
        da = np.hstack([dc * g * i * (1 - i), dc * c_prev * f * (1 - f), dc * i * (1 - g * g),
                        dh_next * tc * o * (1 - o)])
        return da @ Wx.T, da @ Wh.T, dc * f, x.T @ da, h_prev.T @ da, da.sum(axis=0)

    return h_next, c_next, backward

# %% lstm_step_backward
def lstm_step_backward(dh_next, dc_next, cache):
    return cache(dh_next, dc_next)

# %% lstm_forward
def lstm_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    h, c = h0, np.zeros(h0.shape)
    hs, steps = [], []
    for t in range(T):
        h, c, step = lstm_step_forward(x[:, t, :], h, c, Wx, Wh, b)
        hs.append(h)
        steps.append(step)

    def backward(dh):
        dxs = [None] * T
        dWx = dWh = db = 0.0
        dh_carry, dc_carry = np.zeros_like(h0), np.zeros_like(h0)
        for t in range(T - 1, -1, -1):
            dxs[t], dh_carry, dc_carry, gWx, gWh, gb = lstm_step_backward(dh[:, t] + dh_carry, dc_carry, steps[t])
            dWx, dWh, db = dWx + gWx, dWh + gWh, db + gb
        return np.stack(dxs, axis=1), dh_carry, dWx, dWh, db

    return np.stack(hs, axis=1), backward

# %% lstm_backward
def lstm_backward(dh, cache):
    return cache(dh)
