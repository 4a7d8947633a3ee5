"""Correct: in-place arithmetic on arrays the function created itself (np.exp(out=), np.divide(out=),
*=, +=), caches as lists, BPTT on a copy of dh; sigmoid via np.divide(..., where=)."""
EXPECT = {}

# %% sigmoid
def sigmoid(x):
    x = np.array(x, dtype=np.float64)    # a copy: we may overwrite it
    neg = x < 0
    np.negative(np.abs(x), out=x)        # -|x| <= 0
    np.exp(x, out=x)                     # e = exp(-|x|) in (0, 1]
    out = np.empty_like(x)
    np.divide(1.0, 1.0 + x, out=out, where=~neg)
    np.divide(x, 1.0 + x, out=out, where=neg)
    return out

# %% lstm_step_forward
def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    H = Wh.shape[0]
    a = x @ Wx
    a += h_prev @ Wh
    a += b
    act = np.empty_like(a)
    act[:, :2 * H] = sigmoid(a[:, :2 * H])
    np.tanh(a[:, 2 * H:3 * H], out=act[:, 2 * H:3 * H])
    act[:, 3 * H:] = sigmoid(a[:, 3 * H:])
    i, f, g, o = act[:, :H], act[:, H:2 * H], act[:, 2 * H:3 * H], act[:, 3 * H:]
    c_next = f * c_prev
    c_next += i * g
    tc = np.tanh(c_next)
    h_next = tc * o
    return h_next, c_next, [x, h_prev, c_prev, act, tc, Wx, Wh]

# %% lstm_step_backward
def lstm_step_backward(dh_next, dc_next, cache):
    x, h_prev, c_prev, act, tc, Wx, Wh = cache
    H = h_prev.shape[1]
    i, f, g, o = act[:, :H], act[:, H:2 * H], act[:, 2 * H:3 * H], act[:, 3 * H:]
    dc = 1 - tc**2
    dc *= o
    dc *= dh_next
    dc += dc_next
    da = np.empty_like(act)
    da[:, :H] = dc * g * i * (1 - i)
    da[:, H:2 * H] = dc * c_prev * f * (1 - f)
    da[:, 2 * H:3 * H] = dc * i * (1 - g**2)
    da[:, 3 * H:] = dh_next * tc * o * (1 - o)
    return da @ Wx.T, da @ Wh.T, dc * f, x.T @ da, h_prev.T @ da, da.sum(axis=0)

# %% lstm_forward
def lstm_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    H = h0.shape[1]
    out = np.empty((N, T, H))
    h, c = h0.copy(), np.zeros((N, H))
    caches = []
    for t in range(T):
        h, c, cache_t = lstm_step_forward(x[:, t], h, c, Wx, Wh, b)
        out[:, t] = h
        caches.append(cache_t)
    return out, caches

# %% lstm_backward
def lstm_backward(dh, cache):
    dh = np.array(dh, copy=True)
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.empty((N, T, D))
    dWx, dWh, db = np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), np.zeros(4 * H)
    dc = np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t], dh_prev, dc, gWx, gWh, gb = lstm_step_backward(dh[:, t], dc, cache[t])
        dWx += gWx
        dWh += gWh
        db += gb
        if t:
            dh[:, t - 1] += dh_prev
    return dx, dh_prev, dWx, dWh, db
