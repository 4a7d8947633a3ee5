"""Bug: gradient_ratio divides the sums of dh0 instead of their norms (right only when every entry agrees in sign)."""
EXPECT = {"gradient_ratio": 0}
MISCONCEPTION = {"gradient_ratio": "ratio-sums-not-norms"}

# %% gradient_ratio
def gradient_ratio(forward, backward, x, h0, params):
    h, cache = forward(x, h0, *params)
    sums = []
    for step in (-1, 0):
        dh = np.zeros_like(h)
        dh[:, step] = 1.0
        sums.append(backward(dh, cache)[1].sum())
    return float(abs(sums[0] / sums[1]))
