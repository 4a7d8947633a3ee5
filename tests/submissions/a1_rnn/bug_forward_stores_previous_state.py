"""Bug: off by one in time: h[:, t] holds the state *entering* step t (h[:, 0] = h0), not the one it produces.

The step caches are right, so rnn_backward (the solution's) computes the right gradients for the
forward that was run; its visible check differentiates this rnn_forward's output numerically, though,
and fails."""
EXPECT = {"rnn_forward": 0, "rnn_backward": 0.0}
MISCONCEPTION = {"rnn_forward": "stores-previous-state", "rnn_backward": "uses rnn_forward"}

# %% rnn_forward
def rnn_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    h, caches, h_t = np.zeros((N, T, h0.shape[1])), [], h0
    for t in range(T):
        h[:, t] = h_t
        h_t, c = rnn_step_forward(x[:, t], h_t, Wx, Wh, b)
        caches.append(c)
    return h, caches
