"""Bug: one_hot written for a 1-D array of ids only (row-index trick); a (2, 3, 4) array breaks it."""
EXPECT = {"one_hot": 0}
MISCONCEPTION = {"one_hot": "onehot-1d-only"}

# %% one_hot
def one_hot(indices, vocab_size):
    indices = np.asarray(indices)
    if indices.min() < 0 or indices.max() >= vocab_size:
        raise ValueError("out of range")
    out = np.zeros((len(indices), vocab_size))
    out[np.arange(len(indices)), indices] = 1.0
    return out
