"""Bug: the GRU blends into h_prev in place (h = h_prev; h *= z; h += (1 - z) * n): h_next is
right but the caller's h_prev is overwritten."""
EXPECT = {"gru_step_forward": 0}
MISCONCEPTION = {"gru_step_forward": "changed-argument-in-place"}

# %% gru_step_forward
def gru_step_forward(x, h_prev, Wx, Wh, bx, bh):
    H = h_prev.shape[1]
    ax, ah = x @ Wx + bx, h_prev @ Wh + bh
    r = sigmoid(ax[:, :H] + ah[:, :H])
    z = sigmoid(ax[:, H:2 * H] + ah[:, H:2 * H])
    n = np.tanh(ax[:, 2 * H:] + r * ah[:, 2 * H:])
    h = h_prev
    h *= z
    h += (1 - z) * n
    return h
