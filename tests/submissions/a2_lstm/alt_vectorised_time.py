"""Correct: the input projection of all steps in one product, states in (N, T+1, H) arrays, gate
pre-activation gradients stored for every step and the weight gradients taken once with einsum;
the GRU rewritten as h_next = n + z * (h_prev - n)."""
EXPECT = {}

# %% lstm_forward
def lstm_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    H = h0.shape[1]
    xw = np.einsum("ntd,dk->ntk", x, Wx) + b      # (N, T, 4H)
    hs, cs = np.zeros((N, T + 1, H)), np.zeros((N, T + 1, H))
    hs[:, 0] = h0
    gates = np.zeros((N, T, 4 * H))
    for t in range(T):
        a = xw[:, t] + hs[:, t] @ Wh
        gates[:, t, :2 * H] = sigmoid(a[:, :2 * H])
        gates[:, t, 2 * H:3 * H] = np.tanh(a[:, 2 * H:3 * H])
        gates[:, t, 3 * H:] = sigmoid(a[:, 3 * H:])
        i, f, g, o = np.split(gates[:, t], 4, axis=1)
        cs[:, t + 1] = f * cs[:, t] + i * g
        hs[:, t + 1] = o * np.tanh(cs[:, t + 1])
    return hs[:, 1:].copy(), {"x": x, "hs": hs, "cs": cs, "gates": gates, "Wx": Wx, "Wh": Wh}

# %% lstm_backward
def lstm_backward(dh, cache):
    x, hs, cs, gates, Wx, Wh = (cache[k] for k in ("x", "hs", "cs", "gates", "Wx", "Wh"))
    N, T, H = dh.shape
    da = np.zeros((N, T, 4 * H))
    dh_next, dc_next = np.zeros((N, H)), np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        i, f, g, o = np.split(gates[:, t], 4, axis=1)
        tc = np.tanh(cs[:, t + 1])
        dht = dh[:, t] + dh_next
        dc = dc_next + dht * o * (1 - tc**2)
        da[:, t] = np.concatenate([dc * g * i * (1 - i), dc * cs[:, t] * f * (1 - f),
                                   dc * i * (1 - g**2), dht * tc * o * (1 - o)], axis=1)
        dh_next = da[:, t] @ Wh.T
        dc_next = dc * f
    dx = np.einsum("ntk,dk->ntd", da, Wx)
    dWx = np.einsum("ntd,ntk->dk", x, da)
    dWh = np.einsum("nth,ntk->hk", hs[:, :-1], da)
    return dx, dh_next, dWx, dWh, da.sum(axis=(0, 1))

# %% gru_step_forward
def gru_step_forward(x, h_prev, Wx, Wh, bx, bh):
    gx = np.matmul(x, Wx) + bx
    gh = np.matmul(h_prev, Wh) + bh
    xr, xz, xn = np.split(gx, 3, axis=-1)
    hr, hz, hn = np.split(gh, 3, axis=-1)
    r = sigmoid(xr + hr)
    z = sigmoid(xz + hz)
    n = np.tanh(xn + r * hn)
    return n + z * (h_prev - n)
