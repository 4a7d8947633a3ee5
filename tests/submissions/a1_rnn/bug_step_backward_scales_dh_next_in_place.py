"""Bug: the step backward multiplies the caller's dh_next in place (da = dh_next; da *= 1 - h^2)."""
EXPECT = {"rnn_step_backward": 0}
MISCONCEPTION = {"rnn_step_backward": "changed-argument-in-place"}

# %% rnn_step_backward
def rnn_step_backward(dh_next, cache):
    x, h_prev, h_next, Wx, Wh = cache
    da = dh_next
    da *= 1 - h_next**2
    return da @ Wx.T, da @ Wh.T, x.T @ da, h_prev.T @ da, da.sum(axis=0)
