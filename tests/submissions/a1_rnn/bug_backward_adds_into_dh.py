"""Bug: BPTT adds the carried gradient into the caller's dh in place (dh[:, t - 1] += dh_prev):
the gradients are right, but the caller's upstream gradient is changed."""
EXPECT = {"rnn_backward": 0}
MISCONCEPTION = {"rnn_backward": "changed-argument-in-place"}

# %% rnn_backward
def rnn_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dWx, dWh, db = np.zeros((D, H)), np.zeros((H, H)), np.zeros(H)
    for t in reversed(range(T)):
        dx[:, t], dh_prev, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t], cache[t])
        if t > 0:
            dh[:, t - 1] += dh_prev
        dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t
    return dx, dh_prev, dWx, dWh, db
