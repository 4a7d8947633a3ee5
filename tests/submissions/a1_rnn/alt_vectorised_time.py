"""Correct: the input projection of every step in one product, the states kept in one (N, T+1, H)
array, weight gradients computed once after the time loop with einsum; one_hot with np.take."""
EXPECT = {}

# %% one_hot
def one_hot(indices, vocab_size):
    idx = np.asarray(indices, dtype=np.int64)
    if np.any(idx < 0) or np.any(idx >= vocab_size):
        raise ValueError("one_hot: id out of range")
    return np.take(np.identity(vocab_size), idx, axis=0)

# %% rnn_step_forward
def rnn_step_forward(x, h_prev, Wx, Wh, b):
    h_next = np.tanh(np.matmul(x, Wx) + np.matmul(h_prev, Wh) + b.reshape(1, -1))
    return h_next, {"x": x, "h_prev": h_prev, "h_next": h_next, "Wx": Wx, "Wh": Wh}

# %% rnn_step_backward
def rnn_step_backward(dh_next, cache):
    da = dh_next * (1 - cache["h_next"] ** 2)
    dx = np.einsum("nh,dh->nd", da, cache["Wx"])
    dh_prev = np.einsum("nh,kh->nk", da, cache["Wh"])
    dWx = np.einsum("nd,nh->dh", cache["x"], da)
    dWh = np.einsum("nk,nh->kh", cache["h_prev"], da)
    return dx, dh_prev, dWx, dWh, da.sum(0)

# %% rnn_forward
def rnn_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    H = h0.shape[1]
    xw = x @ Wx + b                      # (N, T, H): every step's input projection at once
    states = np.empty((N, T + 1, H))
    states[:, 0] = h0
    for t in range(T):
        states[:, t + 1] = np.tanh(xw[:, t] + states[:, t] @ Wh)
    return states[:, 1:].copy(), (x, states, Wx, Wh)

# %% rnn_backward
def rnn_backward(dh, cache):
    x, states, Wx, Wh = cache
    N, T, H = dh.shape
    da = np.zeros((N, T, H))
    carry = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        da[:, t] = (dh[:, t] + carry) * (1 - states[:, t + 1] ** 2)
        carry = da[:, t] @ Wh.T
    dx = np.einsum("nth,dh->ntd", da, Wx)
    dWx = np.einsum("ntd,nth->dh", x, da)
    dWh = np.einsum("ntk,nth->kh", states[:, :-1], da)
    db = da.sum(axis=(0, 1))
    return dx, carry, dWx, dWh, db
