"""Bug: rnn_forward never terminates (the per-cell timeout must stop it; the rest is graded)."""
EXPECT = {"rnn_forward": 0, "rnn_backward": 0}
MISCONCEPTION = {"rnn_forward": "timeout", "rnn_backward": "timeout"}

# %% rnn_forward
def rnn_forward(x, h0, Wx, Wh, b):
    t = 0
    while t < x.shape[1]:
        pass
    return None, None
