"""Bug: db keeps the batch axis instead of summing over it."""
EXPECT = {"rnn_step_backward": 0, "rnn_backward": 0}
MISCONCEPTION = {"rnn_step_backward": "db-not-summed", "rnn_backward": "uses rnn_step_backward"}

# %% rnn_step_backward
def rnn_step_backward(dh_next, cache):
    x, h_prev, h_next, Wx, Wh = cache
    da = dh_next * (1 - h_next**2)
    return da @ Wx.T, da @ Wh.T, x.T @ da, h_prev.T @ da, da
