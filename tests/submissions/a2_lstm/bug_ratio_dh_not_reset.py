"""Bug: gradient_ratio reuses one upstream array: the second backward sees ones on the last *and*
the first step (L_T + L_1 instead of L_1)."""
EXPECT = {"gradient_ratio": 0}
MISCONCEPTION = {"gradient_ratio": "ratio-dh-not-reset"}

# %% gradient_ratio
def gradient_ratio(forward, backward, x, h0, params):
    h, cache = forward(x, h0, *params)
    dh = np.zeros_like(h)
    dh[:, -1] = 1.0
    last = np.linalg.norm(backward(dh, cache)[1])
    dh[:, 0] = 1.0
    first = np.linalg.norm(backward(dh, cache)[1])
    return float(last / first)
