"""Bug: gradient_ratio averages per-sample ratios of row norms instead of dividing the Frobenius
norms over (N, H) (the same only when every row's gradient scales alike)."""
EXPECT = {"gradient_ratio": 0}
MISCONCEPTION = {"gradient_ratio": "ratio-mean-of-row-ratios"}

# %% gradient_ratio
def gradient_ratio(forward, backward, x, h0, params):
    h, cache = forward(x, h0, *params)
    rows = []
    for step in (-1, 0):
        dh = np.zeros_like(h)
        dh[:, step] = 1.0
        rows.append(np.linalg.norm(backward(dh, cache)[1], axis=1))
    return float(np.mean(rows[0] / rows[1]))
