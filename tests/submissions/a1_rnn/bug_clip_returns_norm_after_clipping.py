"""Bug: returns the global norm of the clipped gradients (about max_norm) instead of the norm before."""
EXPECT = {"clip_by_global_norm": 0}

# %% clip_by_global_norm
def clip_by_global_norm(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g**2) for g in grads)))
    factor = min(1.0, max_norm / (norm + 1e-6))
    clipped = [g * factor for g in grads]
    return clipped, float(np.sqrt(sum(np.sum(c**2) for c in clipped)))
