"""Bug: the step backward accumulates into the caller's dc_next in place (dc = dc_next; dc += ...).
lstm_backward (the solution's) never reuses the array it passes, so only the step exercise fails."""
EXPECT = {"lstm_step_backward": 0}
MISCONCEPTION = {"lstm_step_backward": "changed-argument-in-place"}

# %% lstm_step_backward
def lstm_step_backward(dh_next, dc_next, cache):
    x, h_prev, c_prev, i, f, g, o, tanh_c, Wx, Wh = cache
    dc = dc_next
    dc += dh_next * o * (1 - tanh_c**2)
    da = np.concatenate([dc * g * i * (1 - i), dc * c_prev * f * (1 - f), dc * i * (1 - g**2),
                         dh_next * tanh_c * o * (1 - o)], axis=1)
    return da @ Wx.T, da @ Wh.T, dc * f, x.T @ da, h_prev.T @ da, da.sum(axis=0)
