"""Bug: GRU with the reset gate applied to h W_hn only, b_hn added outside r * (...)."""
EXPECT = {"gru_step_forward": 0}
MISCONCEPTION = {"gru_step_forward": "gru-reset-outside-bias"}

# %% gru_step_forward
def gru_step_forward(x, h_prev, Wx, Wh, bx, bh):
    H = h_prev.shape[1]
    r = sigmoid(x @ Wx[:, :H] + bx[:H] + h_prev @ Wh[:, :H] + bh[:H])
    z = sigmoid(x @ Wx[:, H:2 * H] + bx[H:2 * H] + h_prev @ Wh[:, H:2 * H] + bh[H:2 * H])
    n = np.tanh(x @ Wx[:, 2 * H:] + bx[2 * H:] + r * (h_prev @ Wh[:, 2 * H:]) + bh[2 * H:])
    return (1 - z) * n + z * h_prev
