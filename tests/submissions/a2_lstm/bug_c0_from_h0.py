"""Bug: the cell state starts at h0 instead of zeros."""
EXPECT = {"lstm_forward": 0, "lstm_backward": 0}
MISCONCEPTION = {"lstm_forward": "c0-from-h0", "lstm_backward": "uses lstm_forward"}

# %% lstm_forward
def lstm_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    h_t, c_t, caches = h0, h0.copy(), []
    for t in range(T):
        h_t, c_t, step = lstm_step_forward(x[:, t], h_t, c_t, Wx, Wh, b)
        h[:, t] = h_t
        caches.append(step)
    return h, caches
