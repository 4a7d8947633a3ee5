"""Bug: normalises then rescales, g / norm * min(norm, max_norm): 0 / 0 = NaN for zero gradients."""
EXPECT = {"clip_by_global_norm": 0}

# %% clip_by_global_norm
def clip_by_global_norm(grads, max_norm):
    total_norm = float(np.sqrt(sum(np.sum(g**2) for g in grads)))
    with np.errstate(invalid="ignore", divide="ignore"):
        clipped = [g / np.float64(total_norm) * min(total_norm, max_norm) for g in grads]
    return clipped, total_norm
