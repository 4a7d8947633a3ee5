"""Bug: h_next = o * c_next, without the tanh (backward consistent with it)."""
EXPECT = {"lstm_step_forward": 0, "lstm_step_backward": 0, "lstm_forward": 0, "lstm_backward": 0}
MISCONCEPTION = {"lstm_step_forward": "h-without-tanh", "lstm_step_backward": "uses lstm_step_forward",
                 "lstm_forward": "uses lstm_step_forward", "lstm_backward": "uses lstm_step_forward"}

# %% lstm_step_forward
def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    i, f, g, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])
    c_next = f * c_prev + i * g
    return o * c_next, c_next, (x, h_prev, c_prev, i, f, g, o, c_next, Wx, Wh)

# %% lstm_step_backward
def lstm_step_backward(dh_next, dc_next, cache):
    x, h_prev, c_prev, i, f, g, o, c_next, Wx, Wh = cache
    dc = dc_next + dh_next * o
    da = np.concatenate([dc * g * i * (1 - i), dc * c_prev * f * (1 - f), dc * i * (1 - g**2),
                         dh_next * c_next * o * (1 - o)], axis=1)
    return da @ Wx.T, da @ Wh.T, dc * f, x.T @ da, h_prev.T @ da, da.sum(axis=0)
