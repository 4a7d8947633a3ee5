"""Bug: np.mean instead of np.sum: the root-mean-square entry, not the L2 norm."""
EXPECT = {"clip_by_global_norm": 0}

# %% clip_by_global_norm
def clip_by_global_norm(grads, max_norm):
    flat = np.concatenate([np.ravel(g) for g in grads])
    total_norm = float(np.sqrt(np.mean(flat**2)))
    factor = max_norm / (total_norm + 1e-6)
    if factor < 1:
        return [g * factor for g in grads], total_norm
    return [g.copy() for g in grads], total_norm
