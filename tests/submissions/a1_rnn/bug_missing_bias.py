"""Bug: the bias is left out of the step."""
EXPECT = {"rnn_step_forward": 0, "rnn_step_backward": 0, "rnn_forward": 0, "rnn_backward": 0}
MISCONCEPTION = {"rnn_step_forward": "bias-missing", "rnn_step_backward": "uses rnn_step_forward",
                 "rnn_forward": "uses rnn_step_forward", "rnn_backward": "uses rnn_step_forward"}

# %% rnn_step_forward
def rnn_step_forward(x, h_prev, Wx, Wh, b):
    h_next = np.tanh(x @ Wx + h_prev @ Wh)
    return h_next, (x, h_prev, h_next, Wx, Wh)
