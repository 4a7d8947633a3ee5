"""Correct: every parameter renamed (CS231n's prev_h, dnext_h, ...; W_x for Wx): tests must call
student functions by position in the contract's order, never by the contract's parameter names."""
EXPECT = {}

# %% one_hot
def one_hot(ids, V):
    ids = np.asarray(ids)
    if ids.size and (ids.min() < 0 or ids.max() >= V):
        raise ValueError(f"ids must lie in [0, {V})")
    return np.eye(V)[ids]

# %% rnn_step_forward
def rnn_step_forward(x_t, prev_h, W_x, W_h, bias):
    next_h = np.tanh(x_t @ W_x + prev_h @ W_h + bias)
    return next_h, (x_t, prev_h, next_h, W_x, W_h)

# %% rnn_step_backward
def rnn_step_backward(dnext_h, step_cache):
    x_t, prev_h, next_h, W_x, W_h = step_cache
    da = dnext_h * (1 - next_h**2)
    return da @ W_x.T, da @ W_h.T, x_t.T @ da, prev_h.T @ da, da.sum(axis=0)

# %% rnn_forward
def rnn_forward(inputs, h_init, W_x, W_h, bias):
    N, T, _ = inputs.shape
    hs, steps, h_t = np.zeros((N, T, h_init.shape[1])), [], h_init
    for t in range(T):
        h_t, step = rnn_step_forward(inputs[:, t], h_t, W_x, W_h, bias)
        hs[:, t] = h_t
        steps.append(step)
    return hs, steps

# %% rnn_backward
def rnn_backward(dhs, fwd_cache):
    N, T, H = dhs.shape
    D = fwd_cache[0][0].shape[1]
    dinputs = np.zeros((N, T, D))
    dW_x, dW_h, dbias = np.zeros((D, H)), np.zeros((H, H)), np.zeros(H)
    dprev_h = np.zeros((N, H))
    for t in reversed(range(T)):
        dinputs[:, t], dprev_h, dW_x_t, dW_h_t, dbias_t = rnn_step_backward(dhs[:, t] + dprev_h, fwd_cache[t])
        dW_x, dW_h, dbias = dW_x + dW_x_t, dW_h + dW_h_t, dbias + dbias_t
    return dinputs, dprev_h, dW_x, dW_h, dbias

# %% clip_by_global_norm
def clip_by_global_norm(gradients, clip_value):
    norm = float(np.sqrt(sum(np.sum(g**2) for g in gradients)))
    scale = clip_value / (norm + 1e-6)
    return [g * scale if scale < 1 else g.copy() for g in gradients], norm
