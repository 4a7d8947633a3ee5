"""Bug: the derivative of tanh(c_next) written as 1 - c_next**2 instead of 1 - tanh(c_next)**2."""
EXPECT = {"lstm_step_backward": 0, "lstm_backward": 0}
MISCONCEPTION = {"lstm_step_backward": "dtanh-of-c", "lstm_backward": "uses lstm_step_backward"}

# %% lstm_step_backward
def lstm_step_backward(dh_next, dc_next, cache):
    x, h_prev, c_prev, i, f, g, o, tanh_c, Wx, Wh = cache
    c_next = f * c_prev + i * g
    dc = dc_next + dh_next * o * (1 - c_next**2)
    da = np.concatenate([dc * g * i * (1 - i), dc * c_prev * f * (1 - f), dc * i * (1 - g**2),
                         dh_next * tanh_c * o * (1 - o)], axis=1)
    return da @ Wx.T, da @ Wh.T, dc * f, x.T @ da, h_prev.T @ da, da.sum(axis=0)
