"""Bug: measures the gradient by its largest absolute entry (the max norm) instead of the L2 norm."""
EXPECT = {"clip_by_global_norm": 0}

# %% clip_by_global_norm
def clip_by_global_norm(grads, max_norm):
    total_norm = float(max(np.max(np.abs(g)) for g in grads))
    factor = max_norm / (total_norm + 1e-6)
    if factor < 1:
        return [g * factor for g in grads], total_norm
    return [g.copy() for g in grads], total_norm
