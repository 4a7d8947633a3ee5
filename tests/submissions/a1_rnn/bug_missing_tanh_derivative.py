"""Bug: the backward skips the (1 - h^2) factor of tanh."""
EXPECT = {"rnn_step_backward": 0, "rnn_backward": 0}
MISCONCEPTION = {"rnn_step_backward": "tanh-derivative-missing", "rnn_backward": "uses rnn_step_backward"}

# %% rnn_step_backward
def rnn_step_backward(dh_next, cache):
    x, h_prev, h_next, Wx, Wh = cache
    da = dh_next
    return da @ Wx.T, da @ Wh.T, x.T @ da, h_prev.T @ da, da.sum(axis=0)
