"""Bug: always rescales to max_norm, so a gradient shorter than max_norm is scaled *up*."""
EXPECT = {"clip_by_global_norm": 0}

# %% clip_by_global_norm
def clip_by_global_norm(grads, max_norm):
    total_norm = float(np.sqrt(sum(np.sum(g**2) for g in grads)))
    factor = max_norm / (total_norm + 1e-6)
    return [g * factor for g in grads], total_norm
