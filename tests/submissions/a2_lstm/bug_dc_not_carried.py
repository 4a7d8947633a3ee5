"""Bug: BPTT carries dh back through time but restarts dc at zero at every step."""
EXPECT = {"lstm_backward": 0, "gradient_ratio": 0}
MISCONCEPTION = {"lstm_backward": "dc-not-carried", "gradient_ratio": "uses lstm_backward"}

# %% lstm_backward
def lstm_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dWx, dWh, db = np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), np.zeros(4 * H)
    dh_prev = np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t], dh_prev, _, dWx_t, dWh_t, db_t = lstm_step_backward(dh[:, t] + dh_prev, np.zeros((N, H)), cache[t])
        dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t
    return dx, dh_prev, dWx, dWh, db
