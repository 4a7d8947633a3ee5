"""Bug: every step starts again from h0 instead of the previous step's state."""
EXPECT = {"rnn_forward": 0, "rnn_backward": 0}
MISCONCEPTION = {"rnn_forward": "state-not-carried", "rnn_backward": "uses rnn_forward"}

# %% rnn_forward
def rnn_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    h, caches = np.zeros((N, T, h0.shape[1])), []
    for t in range(T):
        h_t, c = rnn_step_forward(x[:, t], h0, Wx, Wh, b)
        h[:, t] = h_t
        caches.append(c)
    return h, caches
