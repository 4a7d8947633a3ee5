"""Bug: the step writes tanh into h_prev (np.tanh(..., out=h_prev)) to save memory: h_next is right,
but the caller's h_prev (and h0 through rnn_forward) is overwritten and the cache's h_prev is h_next."""
EXPECT = {"rnn_step_forward": 0, "rnn_step_backward": 0, "rnn_forward": 0, "rnn_backward": 0}
MISCONCEPTION = {"rnn_step_forward": "changed-argument-in-place",
                 "rnn_step_backward": "uses rnn_step_forward", "rnn_forward": "uses rnn_step_forward",
                 "rnn_backward": "uses rnn_step_forward"}

# %% rnn_step_forward
def rnn_step_forward(x, h_prev, Wx, Wh, b):
    a = x @ Wx + h_prev @ Wh + b
    h_next = np.tanh(a, out=h_prev)
    return h_next, (x, h_prev, h_next, Wx, Wh)
