"""Bug: GRU reading the blocks as [z, r, n] instead of PyTorch's [r, z, n]."""
EXPECT = {"gru_step_forward": 0}
MISCONCEPTION = {"gru_step_forward": "gru-gate-order-zr"}

# %% gru_step_forward
def gru_step_forward(x, h_prev, Wx, Wh, bx, bh):
    H = h_prev.shape[1]
    ax, ah = x @ Wx + bx, h_prev @ Wh + bh
    z = sigmoid(ax[:, :H] + ah[:, :H])
    r = sigmoid(ax[:, H:2 * H] + ah[:, H:2 * H])
    n = np.tanh(ax[:, 2 * H:] + r * ah[:, 2 * H:])
    return (1 - z) * n + z * h_prev
