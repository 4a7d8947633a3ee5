"""Correct: caches are closures (the forward hands the backward a function), one_hot by broadcast comparison."""
EXPECT = {}

# %% one_hot
def one_hot(indices, vocab_size):
    indices = np.asarray(indices)
    bad = (indices < 0) | (indices >= vocab_size)
    if bad.any():
        raise ValueError(f"{int(bad.sum())} ids outside [0, {vocab_size})")
    return (indices[..., np.newaxis] == np.arange(vocab_size)).astype(np.float64)

# %% rnn_step_forward
def rnn_step_forward(x, h_prev, Wx, Wh, b):
    h_next = np.tanh(x @ Wx + h_prev @ Wh + b)

    def backward(dh_next):
        da = dh_next * (1.0 - h_next * h_next)
        return da @ Wx.T, da @ Wh.T, x.T @ da, h_prev.T @ da, np.sum(da, axis=0)

    return h_next, backward

# %% rnn_step_backward
def rnn_step_backward(dh_next, cache):
    return cache(dh_next)

# %% rnn_forward
def rnn_forward(x, h0, Wx, Wh, b):
    hs, steps = [], []
    h = h0
    for t in range(x.shape[1]):
        h, step = rnn_step_forward(x[:, t, :], h, Wx, Wh, b)
        hs.append(h)
        steps.append(step)
    D = x.shape[2]

    def backward(dh):
        N, T, H = dh.shape
        dx = np.empty((N, T, D))
        dWx, dWh, db = 0.0, 0.0, 0.0
        carry = np.zeros((N, H))
        for t in range(T - 1, -1, -1):
            dx[:, t, :], carry, gWx, gWh, gb = rnn_step_backward(dh[:, t, :] + carry, steps[t])
            dWx, dWh, db = dWx + gWx, dWh + gWh, db + gb
        return dx, carry, dWx, dWh, db

    return np.stack(hs, axis=1), backward

# %% rnn_backward
def rnn_backward(dh, cache):
    return cache(dh)
