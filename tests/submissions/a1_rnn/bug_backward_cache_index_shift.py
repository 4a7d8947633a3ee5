"""Bug: BPTT pairs step t with the cache of step t - 1 (cache[t - 1], which wraps to the last one at t = 0)."""
EXPECT = {"rnn_backward": 0}
MISCONCEPTION = {"rnn_backward": "cache-index-shift"}

# %% rnn_backward
def rnn_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dWx, dWh, db = np.zeros((D, H)), np.zeros((H, H)), np.zeros(H)
    dh_prev = np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t], dh_prev, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t] + dh_prev, cache[t - 1])
        dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t
    return dx, dh_prev, dWx, dWh, db
