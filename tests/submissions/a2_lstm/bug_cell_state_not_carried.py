"""Bug: h is carried from step to step but every step starts again from c = 0."""
EXPECT = {"lstm_forward": 0, "lstm_backward": 0}
MISCONCEPTION = {"lstm_forward": "cell-state-not-carried", "lstm_backward": "uses lstm_forward"}

# %% lstm_forward
def lstm_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    h_t, caches = h0, []
    for t in range(T):
        h_t, _, step = lstm_step_forward(x[:, t], h_t, np.zeros_like(h0), Wx, Wh, b)
        h[:, t] = h_t
        caches.append(step)
    return h, caches
