"""Bug: off by one in time: the "last" upstream is put on step index 1 instead of T - 1."""
EXPECT = {"gradient_ratio": 0}
MISCONCEPTION = {"gradient_ratio": "ratio-wrong-step"}

# %% gradient_ratio
def gradient_ratio(forward, backward, x, h0, params):
    h, cache = forward(x, h0, *params)
    norms = []
    for step in (1, 0):
        dh = np.zeros_like(h)
        dh[:, step] = 1.0
        norms.append(np.linalg.norm(backward(dh, cache)[1]))
    return float(norms[0] / norms[1])
