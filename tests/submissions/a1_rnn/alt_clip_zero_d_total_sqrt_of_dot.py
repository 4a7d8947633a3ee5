"""Correct: the squared norm as a dot product of the flattened vector, total_norm a 0-d array."""
EXPECT = {}

# %% clip_by_global_norm
def clip_by_global_norm(grads, max_norm):
    flat = np.concatenate([np.reshape(g, -1) for g in grads])
    total_norm = np.array(np.sqrt(flat @ flat))  # a 0-d array: float(total_norm) works
    factor = np.minimum(1.0, max_norm / (total_norm + 1e-6))
    return [g * factor for g in grads], total_norm
