"""Bug: returns total_norm as an array of shape (1,) (keepdims), not one number."""
EXPECT = {"clip_by_global_norm": 0}

# %% clip_by_global_norm
def clip_by_global_norm(grads, max_norm):
    total_norm = np.sqrt(np.sum([np.sum(g**2) for g in grads], keepdims=True))
    factor = max_norm / (total_norm[0] + 1e-6)
    if factor < 1:
        return [g * factor for g in grads], total_norm
    return [g.copy() for g in grads], total_norm
