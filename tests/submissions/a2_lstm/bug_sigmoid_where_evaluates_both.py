"""Bug: np.where picks the stable branch, but both branches are computed, so exp(x) still overflows."""
EXPECT = {"sigmoid": 0}
MISCONCEPTION = {"sigmoid": "sigmoid-overflows"}

# %% sigmoid
def sigmoid(x):
    return np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))
