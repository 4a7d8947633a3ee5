"""Correct: the GRU one gate at a time with weight slices and a helper, called with keywords;
sigmoid with np.errstate-free log1p form; gradient_ratio with explicit sqrt-of-sum-of-squares,
two forward passes and a NumPy scalar result."""
EXPECT = {}

# %% sigmoid
def sigmoid(x):
    x = np.asarray(x, dtype=float)
    # sigma(x) = exp(-log(1 + exp(-x))) = exp(-softplus(-x)), softplus computed stably
    sp = np.maximum(-x, 0.0) + np.log1p(np.exp(-np.abs(x)))
    return np.exp(-sp)

# %% gru_step_forward
def _gate(x, h, Wx, Wh, bx, bh, k, H):
    cols = slice(k * H, (k + 1) * H)
    return x @ Wx[:, cols] + bx[cols], h @ Wh[:, cols] + bh[cols]


def gru_step_forward(x, h_prev, Wx, Wh, bx, bh):
    H = Wh.shape[0]
    xr, hr = _gate(x=x, h=h_prev, Wx=Wx, Wh=Wh, bx=bx, bh=bh, k=0, H=H)
    xz, hz = _gate(x=x, h=h_prev, Wx=Wx, Wh=Wh, bx=bx, bh=bh, k=1, H=H)
    xn, hn = _gate(x=x, h=h_prev, Wx=Wx, Wh=Wh, bx=bx, bh=bh, k=2, H=H)
    r = sigmoid(x=xr + hr)
    z = sigmoid(x=xz + hz)
    n = np.tanh(xn + r * hn)
    return (1.0 - z) * n + z * h_prev

# %% gradient_ratio
def gradient_ratio(forward, backward, x, h0, params):
    T = x.shape[1]
    norms = {}
    for step in (T - 1, 0):
        h, cache = forward(x, h0, *params)      # a fresh forward per backward: wasteful but right
        dh = np.zeros(h.shape)
        dh[:, step, :] = np.ones(h.shape[2])
        dh0 = backward(dh, cache)[1]
        norms[step] = np.sqrt(np.sum(np.square(dh0)))
    return norms[T - 1] / norms[0]
