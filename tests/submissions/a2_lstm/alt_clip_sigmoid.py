"""Correct: sigmoid with the input clipped to [-500, 500] (exp never overflows; the error is ~1e-217)."""
EXPECT = {}

# %% sigmoid
def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.clip(x, -500.0, 500.0)))
