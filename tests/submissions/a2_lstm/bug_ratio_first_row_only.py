"""Bug: gradient_ratio measures the first sample of the batch only (dh0[0])."""
EXPECT = {"gradient_ratio": 0}
MISCONCEPTION = {"gradient_ratio": "ratio-first-row-only"}

# %% gradient_ratio
def gradient_ratio(forward, backward, x, h0, params):
    h, cache = forward(x, h0, *params)
    norms = []
    for step in (-1, 0):
        dh = np.zeros_like(h)
        dh[:, step] = 1.0
        norms.append(np.linalg.norm(backward(dh, cache)[1][0]))
    return float(norms[0] / norms[1])
