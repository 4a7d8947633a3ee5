"""Bug: the step computes in float32 (the contract says float64): about 1e-7 relative error, and float32 arrays out."""
EXPECT = {"rnn_step_forward": 0, "rnn_forward": 0, "rnn_step_backward": 0, "rnn_backward": 0}
MISCONCEPTION = {"rnn_step_forward": "float32-arithmetic", "rnn_forward": "uses rnn_step_forward",
                 "rnn_step_backward": "uses rnn_step_forward", "rnn_backward": "uses rnn_step_forward"}

# %% rnn_step_forward
def rnn_step_forward(x, h_prev, Wx, Wh, b):
    f = np.float32
    h_next = np.tanh(x.astype(f) @ Wx.astype(f) + h_prev.astype(f) @ Wh.astype(f) + b.astype(f))
    return h_next, (x.astype(f), h_prev.astype(f), h_next, Wx.astype(f), Wh.astype(f))
