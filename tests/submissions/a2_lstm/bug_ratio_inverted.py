"""Bug: gradient_ratio returns first-step norm over last-step norm."""
EXPECT = {"gradient_ratio": 0}
MISCONCEPTION = {"gradient_ratio": "ratio-inverted"}

# %% gradient_ratio
def gradient_ratio(forward, backward, x, h0, params):
    h, cache = forward(x, h0, *params)
    norms = []
    for step in (0, -1):
        dh = np.zeros_like(h)
        dh[:, step] = 1.0
        norms.append(np.linalg.norm(backward(dh, cache)[1]))
    return float(norms[0] / norms[1])
