"""Bug: the shared weights' gradients are overwritten at each step instead of summed over time."""
EXPECT = {"rnn_backward": 0}
MISCONCEPTION = {"rnn_backward": "weight-grads-overwritten"}

# %% rnn_backward
def rnn_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dh_prev = np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t], dh_prev, dWx, dWh, db = rnn_step_backward(dh[:, t] + dh_prev, cache[t])
    return dx, dh_prev, dWx, dWh, db
