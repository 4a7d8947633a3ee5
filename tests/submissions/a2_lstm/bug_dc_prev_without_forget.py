"""Bug: dc_prev = dc, forgetting that c_prev was scaled by the forget gate.

The gradient then never decays along the cell state, so gradient_ratio's check that closed
forget gates lose the gradient fails too."""
EXPECT = {"lstm_step_backward": 0, "lstm_backward": 0, "gradient_ratio": 0}
MISCONCEPTION = {"lstm_step_backward": "dc-prev-without-forget",
                 "lstm_backward": "uses lstm_step_backward", "gradient_ratio": "uses lstm_step_backward"}

# %% lstm_step_backward
def lstm_step_backward(dh_next, dc_next, cache):
    x, h_prev, c_prev, i, f, g, o, tanh_c, Wx, Wh = cache
    dc = dc_next + dh_next * o * (1 - tanh_c**2)
    da = np.concatenate([dc * g * i * (1 - i), dc * c_prev * f * (1 - f), dc * i * (1 - g**2),
                         dh_next * tanh_c * o * (1 - o)], axis=1)
    return da @ Wx.T, da @ Wh.T, dc, x.T @ da, h_prev.T @ da, da.sum(axis=0)
