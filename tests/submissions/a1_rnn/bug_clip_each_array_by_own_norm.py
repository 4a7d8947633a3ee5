"""Bug: clips each array by its own norm instead of one factor from the global norm."""
EXPECT = {"clip_by_global_norm": 0}

# %% clip_by_global_norm
def clip_by_global_norm(grads, max_norm):
    total_norm = float(np.sqrt(sum(np.sum(g**2) for g in grads)))
    clipped = []
    for g in grads:
        own = np.sqrt(np.sum(g**2))
        clipped.append(g * max_norm / own if own > max_norm else g.copy())
    return clipped, total_norm
