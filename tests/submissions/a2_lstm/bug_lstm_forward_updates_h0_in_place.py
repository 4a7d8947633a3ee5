"""Bug: lstm_forward keeps its running state in the caller's h0 (h_t[...] = h_next): h is right,
but h0 is overwritten and every step's cache holds the same, final h array."""
EXPECT = {"lstm_forward": 0, "lstm_backward": 0}
MISCONCEPTION = {"lstm_forward": "changed-argument-in-place", "lstm_backward": "uses lstm_forward"}

# %% lstm_forward
def lstm_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    h_t, c_t, caches = h0, np.zeros_like(h0), []
    for t in range(T):
        h_next, c_t, step = lstm_step_forward(x[:, t], h_t, c_t, Wx, Wh, b)
        h_t[...] = h_next
        h[:, t] = h_t
        caches.append(step)
    return h, caches
