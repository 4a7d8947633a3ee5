"""Bug: GRU with z and 1 - z swapped (the convention of some papers, not PyTorch's)."""
EXPECT = {"gru_step_forward": 0}
MISCONCEPTION = {"gru_step_forward": "gru-z-swapped"}

# %% gru_step_forward
def gru_step_forward(x, h_prev, Wx, Wh, bx, bh):
    H = h_prev.shape[1]
    ax, ah = x @ Wx + bx, h_prev @ Wh + bh
    r = sigmoid(ax[:, :H] + ah[:, :H])
    z = sigmoid(ax[:, H:2 * H] + ah[:, H:2 * H])
    n = np.tanh(ax[:, 2 * H:] + r * ah[:, 2 * H:])
    return z * n + (1 - z) * h_prev
