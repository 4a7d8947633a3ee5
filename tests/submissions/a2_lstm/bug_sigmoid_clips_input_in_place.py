"""Bug: the sigmoid clips its argument in place (x[x < -500] = -500) before the textbook formula:
the values are right, but the caller's array is changed."""
EXPECT = {"sigmoid": 0}
MISCONCEPTION = {"sigmoid": "changed-argument-in-place"}

# %% sigmoid
def sigmoid(x):
    x[x < -500] = -500.0
    x[x > 500] = 500.0
    return 1.0 / (1.0 + np.exp(-x))
