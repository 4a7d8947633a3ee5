"""Correct: plain Python loops over every entry, math.sqrt, and copies filled entry by entry."""
EXPECT = {}

# %% clip_by_global_norm
import math


def clip_by_global_norm(grads, max_norm):
    squares = 0.0
    for g in grads:
        for value in np.asarray(g).flat:
            squares += float(value) ** 2
    total_norm = math.sqrt(squares)
    factor = max_norm / (total_norm + 1e-6)
    clipped = []
    for g in grads:
        out = np.empty(np.shape(g))
        for index in np.ndindex(out.shape):
            out[index] = g[index] * factor if factor < 1 else g[index]
        clipped.append(out)
    return clipped, total_norm
