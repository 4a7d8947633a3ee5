"""Bug: written for the RNN's three weight gradients only (dWx, dWh, db): fails on any other count."""
EXPECT = {"clip_by_global_norm": 0}

# %% clip_by_global_norm
def clip_by_global_norm(grads, max_norm):
    dWx, dWh, db = grads
    total_norm = float(np.sqrt(np.sum(dWx**2) + np.sum(dWh**2) + np.sum(db**2)))
    factor = min(1.0, max_norm / (total_norm + 1e-6))
    return [dWx * factor, dWh * factor, db * factor], total_norm
