"""Correct: Python loops over the batch, tuple caches, a backward written without the step function."""
EXPECT = {}

# %% one_hot
def one_hot(indices, vocab_size):
    flat = [int(i) for i in np.ravel(indices)]
    for i in flat:
        if not 0 <= i < vocab_size:
            raise ValueError(f"bad index {i}")
    out = np.zeros((len(flat), vocab_size), dtype=np.float32)
    for row, i in enumerate(flat):
        out[row, i] = 1
    return out.reshape(np.shape(indices) + (vocab_size,))

# %% rnn_step_forward
def rnn_step_forward(x, h_prev, Wx, Wh, b):
    rows = [np.tanh(x[n] @ Wx + h_prev[n] @ Wh + b) for n in range(x.shape[0])]
    h_next = np.array(rows)
    return h_next, (x, h_prev, Wx, Wh, h_next)

# %% rnn_step_backward
def rnn_step_backward(dh_next, cache):
    x, h_prev, Wx, Wh, h_next = cache
    dtanh = (1 - h_next) * (1 + h_next)
    da = dh_next * dtanh
    db = np.zeros(da.shape[1])
    for n in range(da.shape[0]):
        db += da[n]
    return da @ Wx.T, da @ Wh.T, x.T @ da, h_prev.T @ da, db

# %% rnn_forward
def rnn_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    hs = [h0]
    for t in range(T):
        hs.append(np.tanh(x[:, t, :] @ Wx + hs[-1] @ Wh + b))
    return np.stack(hs[1:], axis=1), (x, hs, Wx, Wh)

# %% rnn_backward
def rnn_backward(dh, cache):
    x, hs, Wx, Wh = cache
    N, T, D = x.shape
    dx = np.zeros_like(x)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(Wh.shape[0])
    dnext = np.zeros_like(hs[0])
    for t in reversed(range(T)):
        total = dh[:, t, :] + dnext
        da = total * (1 - hs[t + 1] ** 2)
        dx[:, t, :] = da @ Wx.T
        dWx += x[:, t, :].T @ da
        dWh += hs[t].T @ da
        db += da.sum(0)
        dnext = da @ Wh.T
    return dx, dnext, dWx, dWh, db
