"""Correct: no 1e-6; clips only when the norm exceeds max_norm, by max_norm / norm exactly."""
EXPECT = {}

# %% clip_by_global_norm
def clip_by_global_norm(grads, max_norm):
    total_norm = np.sqrt(sum(np.sum(g * g) for g in grads))
    if total_norm > max_norm:
        return [g * (max_norm / total_norm) for g in grads], float(total_norm)
    return [np.array(g) for g in grads], float(total_norm)
