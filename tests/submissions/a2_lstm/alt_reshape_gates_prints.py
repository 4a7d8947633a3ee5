"""Correct: gates by reshaping the pre-activation to (N, 4, H), debug prints, shape asserts,
gradients returned as lists, gradient_ratio with np.linalg.norm over the flattened arrays."""
EXPECT = {}

# %% lstm_step_forward
def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    N, H = h_prev.shape
    assert Wx.shape[1] == 4 * H and Wh.shape == (H, 4 * H) and b.shape == (4 * H,)
    a = (x @ Wx + h_prev @ Wh + b).reshape(N, 4, H)   # blocks [i, f, g, o] along axis 1
    i, f, o = sigmoid(a[:, 0]), sigmoid(a[:, 1]), sigmoid(a[:, 3])
    g = np.tanh(a[:, 2])
    c_next = f * c_prev + i * g
    h_next = o * np.tanh(c_next)
    print("lstm step", a.shape, float(np.abs(c_next).max()))
    return h_next, c_next, dict(x=x, h_prev=h_prev, c_prev=c_prev, i=i, f=f, g=g, o=o, c_next=c_next, Wx=Wx, Wh=Wh)

# %% lstm_step_backward
def lstm_step_backward(dh_next, dc_next, cache):
    k = cache
    tc = np.tanh(k["c_next"])
    dc = dc_next + dh_next * k["o"] * (1 - tc**2)
    da = np.stack([dc * k["g"] * k["i"] * (1 - k["i"]),
                   dc * k["c_prev"] * k["f"] * (1 - k["f"]),
                   dc * k["i"] * (1 - k["g"] ** 2),
                   dh_next * tc * k["o"] * (1 - k["o"])], axis=1)   # (N, 4, H)
    da = da.reshape(da.shape[0], -1)
    print("lstm step backward", da.shape)
    return [da @ k["Wx"].T, da @ k["Wh"].T, dc * k["f"], k["x"].T @ da, k["h_prev"].T @ da, da.sum(axis=0)]

# %% gradient_ratio
def gradient_ratio(forward, backward, x, h0, params):
    h, cache = forward(x, h0, *params)
    dh_last = np.zeros_like(h)
    dh_last[:, -1] = 1
    dh_first = np.zeros_like(h)
    dh_first[:, 0] = 1
    g_last = backward(dh_last, cache)[1]
    g_first = backward(dh_first, cache)[1]
    ratio = np.linalg.norm(np.ravel(g_last)) / np.linalg.norm(np.ravel(g_first))
    print("gradient ratio", ratio)
    return ratio

# %% lstm_backward
def lstm_backward(dh, cache):
    N, T, H = dh.shape
    dxs, sums = [], None
    dh_carry, dc_carry = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)):
        dx_t, dh_carry, dc_carry, *weights = lstm_step_backward(dh[:, t] + dh_carry, dc_carry, cache[t])
        dxs.insert(0, dx_t)
        sums = weights if sums is None else [s + w for s, w in zip(sums, weights)]
    return [np.stack(dxs, axis=1), dh_carry, *sums]
