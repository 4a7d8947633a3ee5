"""Bug: the textbook 1 / (1 + exp(-x)) overflows for x < -709."""
EXPECT = {"sigmoid": 0}
MISCONCEPTION = {"sigmoid": "sigmoid-overflows"}

# %% sigmoid
def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))
