"""Correct: returns total_norm as a NumPy float64 (np.linalg.norm per array, then of the norms)
and clipped as a tuple of arrays built with np.copy and an in-place scale of the copies."""
EXPECT = {}

# %% clip_by_global_norm
def clip_by_global_norm(grads, max_norm):
    norms = np.array([np.linalg.norm(np.ravel(g)) for g in grads])
    total_norm = np.linalg.norm(norms)  # a np.float64
    copies = [np.copy(g) for g in grads]
    if max_norm / (total_norm + 1e-6) < 1:
        for c in copies:
            c *= max_norm / (total_norm + 1e-6)
    return tuple(copies), total_norm
