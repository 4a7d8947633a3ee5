"""Correct: np.linalg.norm of all gradients flattened into one vector; the factor clamped with min."""
EXPECT = {}

# %% clip_by_global_norm
def clip_by_global_norm(grads, max_norm):
    total_norm = np.linalg.norm(np.concatenate([np.ravel(g) for g in grads]))
    scale = min(1.0, max_norm / (total_norm + 1e-6))
    return [np.multiply(g, scale) for g in grads], float(total_norm)
