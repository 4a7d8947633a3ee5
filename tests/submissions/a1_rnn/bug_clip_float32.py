"""Bug: returns float32 arrays (the contract says float64); the values are right to about 1e-7."""
EXPECT = {"clip_by_global_norm": 0}

# %% clip_by_global_norm
def clip_by_global_norm(grads, max_norm):
    grads32 = [np.asarray(g, dtype=np.float32) for g in grads]
    total_norm = float(np.sqrt(sum(np.sum(g.astype(np.float64) ** 2) for g in grads32)))
    factor = np.float32(min(1.0, max_norm / (total_norm + 1e-6)))
    return [g * factor for g in grads32], total_norm
