"""Bug: scales the caller's gradient arrays in place (g *= factor) and returns them."""
EXPECT = {"clip_by_global_norm": 0}

# %% clip_by_global_norm
def clip_by_global_norm(grads, max_norm):
    total_norm = float(np.sqrt(sum(np.sum(g**2) for g in grads)))
    factor = max_norm / (total_norm + 1e-6)
    if factor < 1:
        for g in grads:
            g *= factor
    return grads, total_norm
