"""Bug: BPTT keeps only the first step's weight gradients (= instead of +=)."""
EXPECT = {"lstm_backward": 0}
MISCONCEPTION = {"lstm_backward": "weight-grads-overwritten"}

# %% lstm_backward
def lstm_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dh_prev, dc_prev = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t], dh_prev, dc_prev, dWx, dWh, db = lstm_step_backward(dh[:, t] + dh_prev, dc_prev, cache[t])
    return dx, dh_prev, dWx, dWh, db
