"""Bug: np.concatenate(grads) without flattening: fails for arrays of different dimensions or 0-d."""
EXPECT = {"clip_by_global_norm": 0}

# %% clip_by_global_norm
def clip_by_global_norm(grads, max_norm):
    total_norm = float(np.linalg.norm(np.concatenate(grads)))
    factor = max_norm / (total_norm + 1e-6)
    if factor < 1:
        return [g * factor for g in grads], total_norm
    return [g.copy() for g in grads], total_norm
