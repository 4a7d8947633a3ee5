"""Correct: a forward that loops over batch rows and time with 1-D vectors, the whole-sequence
cache as a tuple of stacked arrays, one_hot from a list comprehension."""
EXPECT = {}

# %% one_hot
def one_hot(indices, vocab_size):
    arr = np.asarray(indices)
    ids = arr.ravel().tolist()
    if any(i < 0 or i >= vocab_size for i in ids):
        raise ValueError("out of range")
    rows = [[1.0 if j == i else 0.0 for j in range(vocab_size)] for i in ids]
    return np.array(rows, dtype=np.float64).reshape(arr.shape + (vocab_size,))

# %% rnn_step_forward
def rnn_step_forward(x, h_prev, Wx, Wh, b):
    out = np.zeros((x.shape[0], Wx.shape[1]))
    for n in range(x.shape[0]):
        out[n] = np.tanh(x[n] @ Wx + h_prev[n] @ Wh + b)
    return out, (x.copy(), h_prev.copy(), Wx.copy(), Wh.copy(), out.copy())

# %% rnn_step_backward
def rnn_step_backward(dh_next, cache):
    x, h_prev, Wx, Wh, h_next = cache
    N, D = x.shape
    H = h_prev.shape[1]
    dx, dh_prev = np.zeros((N, D)), np.zeros((N, H))
    dWx, dWh, db = np.zeros((D, H)), np.zeros((H, H)), np.zeros(H)
    for n in range(N):
        da = dh_next[n] * (1 - h_next[n] ** 2)
        dx[n] = Wx @ da
        dh_prev[n] = Wh @ da
        dWx += np.outer(x[n], da)
        dWh += np.outer(h_prev[n], da)
        db += da
    return dx, dh_prev, dWx, dWh, db

# %% rnn_forward
def rnn_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    prevs, nexts = [], []
    h = h0
    for t in range(T):
        prevs.append(h)
        h, _ = rnn_step_forward(x[:, t], h, Wx, Wh, b)
        nexts.append(h)
    hs = np.stack(nexts, axis=1)
    return hs, (x, np.stack(prevs, axis=1), hs, Wx, Wh)

# %% rnn_backward
def rnn_backward(dh, cache):
    x, prevs, hs, Wx, Wh = cache
    N, T, H = dh.shape
    dx = np.zeros_like(x)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(H)
    carry = np.zeros((N, H))
    for t in reversed(range(T)):
        step_cache = (x[:, t], prevs[:, t], Wx, Wh, hs[:, t])
        dx[:, t], carry, a, c, d = rnn_step_backward(dh[:, t] + carry, step_cache)
        dWx, dWh, db = dWx + a, dWh + c, db + d
    return dx, carry, dWx, dWh, db
