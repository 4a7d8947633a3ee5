"""Bug: the output array is sized with the input size D instead of the hidden size H (the visible
check has D = H = 1)."""
EXPECT = {"rnn_forward": 0, "rnn_backward": 0}
MISCONCEPTION = {"rnn_forward": "hidden-size-from-input", "rnn_backward": "uses rnn_forward"}

# %% rnn_forward
def rnn_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    h, caches, h_t = np.zeros((N, T, D)), [], h0
    for t in range(T):
        h_t, c = rnn_step_forward(x[:, t], h_t, Wx, Wh, b)
        h[:, t] = h_t
        caches.append(c)
    return h, caches
