"""Correct: defensive shape checks, debug prints, keyword calls of the step functions, time-major
loops via transpose, gradients returned as lists."""
EXPECT = {}

# %% one_hot
def one_hot(indices, vocab_size):
    indices = np.array(indices, copy=True)
    assert np.issubdtype(indices.dtype, np.integer), "ids must be integers"
    flat = indices.reshape(-1)
    for i in flat:
        if i < 0 or i >= vocab_size:
            raise ValueError(f"id {i} is not in [0, {vocab_size})")
    out = np.zeros((flat.size, vocab_size))
    out[np.arange(flat.size), flat] = 1.0
    print("one_hot:", indices.shape, "->", out.reshape(indices.shape + (vocab_size,)).shape)
    return out.reshape(indices.shape + (vocab_size,))

# %% rnn_step_forward
def rnn_step_forward(x, h_prev, Wx, Wh, b):
    N, D = x.shape
    H = h_prev.shape[1]
    assert Wx.shape == (D, H), Wx.shape
    assert Wh.shape == (H, H), Wh.shape
    assert b.shape == (H,), b.shape
    h_next = np.tanh(x.dot(Wx) + h_prev.dot(Wh) + b)
    print(f"step: N={N} D={D} H={H} |h|={np.abs(h_next).max():.3f}")
    return h_next, [x, h_prev, Wx, Wh, h_next]

# %% rnn_step_backward
def rnn_step_backward(dh_next, cache):
    x, h_prev, Wx, Wh, h_next = cache
    assert dh_next.shape == h_next.shape
    da = dh_next * (1 - h_next) * (1 + h_next)
    grads = [da.dot(Wx.T), da.dot(Wh.T), x.T.dot(da), h_prev.T.dot(da), da.sum(axis=0)]
    print("step backward:", [g.shape for g in grads])
    return grads

# %% rnn_forward
def rnn_forward(x, h0, Wx, Wh, b):
    assert x.ndim == 3 and h0.ndim == 2, (x.shape, h0.shape)
    xs = x.transpose(1, 0, 2)            # (T, N, D)
    hs, caches, h = [], [], h0
    for x_t in xs:
        h, c = rnn_step_forward(x=x_t, h_prev=h, Wx=Wx, Wh=Wh, b=b)
        hs.append(h)
        caches.append(c)
    out = np.array(hs).transpose(1, 0, 2)  # (N, T, H)
    print("forward:", x.shape, "->", out.shape)
    return out, caches

# %% rnn_backward
def rnn_backward(dh, cache):
    dh_tm = dh.transpose(1, 0, 2)        # (T, N, H)
    T = dh_tm.shape[0]
    dxs = [None] * T
    grads_w = None
    dnext = np.zeros_like(dh_tm[0])
    for t in range(T - 1, -1, -1):
        dx_t, dnext, dWx, dWh, db = rnn_step_backward(dh_next=dh_tm[t] + dnext, cache=cache[t])
        dxs[t] = dx_t
        grads_w = [dWx, dWh, db] if grads_w is None else [a + g for a, g in zip(grads_w, (dWx, dWh, db))]
    print("backward done, T =", T)
    return [np.stack(dxs, axis=1), dnext] + grads_w
