"""Bug: GRU applying r to h before the product, n = tanh(x W_n + b_xn + (r * h) W_hn + b_hn) (the original paper, not PyTorch)."""
EXPECT = {"gru_step_forward": 0}
MISCONCEPTION = {"gru_step_forward": "gru-reset-on-state"}

# %% gru_step_forward
def gru_step_forward(x, h_prev, Wx, Wh, bx, bh):
    H = h_prev.shape[1]
    ax = x @ Wx + bx
    r = sigmoid(ax[:, :H] + h_prev @ Wh[:, :H] + bh[:H])
    z = sigmoid(ax[:, H:2 * H] + h_prev @ Wh[:, H:2 * H] + bh[H:2 * H])
    n = np.tanh(ax[:, 2 * H:] + (r * h_prev) @ Wh[:, 2 * H:] + bh[2 * H:])
    return (1 - z) * n + z * h_prev
