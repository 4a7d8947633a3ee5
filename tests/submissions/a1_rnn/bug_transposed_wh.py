"""Bug: Wh used transposed (h_prev @ Wh.T), and consistently so in the backward."""
EXPECT = {"rnn_step_forward": 0, "rnn_step_backward": 0, "rnn_forward": 0, "rnn_backward": 0}
MISCONCEPTION = {"rnn_step_forward": "wh-transposed", "rnn_step_backward": "uses rnn_step_forward",
                 "rnn_forward": "uses rnn_step_forward", "rnn_backward": "uses rnn_step_forward"}

# %% rnn_step_forward
def rnn_step_forward(x, h_prev, Wx, Wh, b):
    h_next = np.tanh(x @ Wx + h_prev @ Wh.T + b)
    return h_next, (x, h_prev, h_next, Wx, Wh)

# %% rnn_step_backward
def rnn_step_backward(dh_next, cache):
    x, h_prev, h_next, Wx, Wh = cache
    da = dh_next * (1 - h_next**2)
    return da @ Wx.T, da @ Wh, x.T @ da, (h_prev.T @ da).T, da.sum(axis=0)
