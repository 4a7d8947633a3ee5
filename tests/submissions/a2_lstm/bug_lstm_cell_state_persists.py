"""Bug: a "stateful" LSTM: the cell state lives in a module-level variable, starts at zero on the
first call only and is carried over from one call of lstm_forward to the next."""
EXPECT = {"lstm_forward": 0, "lstm_backward": 0}
MISCONCEPTION = {"lstm_forward": "cell-state-persists", "lstm_backward": "uses lstm_forward"}

# %% lstm_forward
_state = {}


def lstm_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    c_t = _state.get("c")
    if c_t is None or c_t.shape != h0.shape:
        c_t = np.zeros_like(h0)
    h = np.zeros((N, T, h0.shape[1]))
    h_t, caches = h0, []
    for t in range(T):
        h_t, c_t, step = lstm_step_forward(x[:, t], h_t, c_t, Wx, Wh, b)
        h[:, t] = h_t
        caches.append(step)
    _state["c"] = c_t
    return h, caches
