"""Bug: the range check lets id == vocab_size through (> instead of >=), which NumPy then rejects with IndexError."""
EXPECT = {"one_hot": 0}
MISCONCEPTION = {"one_hot": "onehot-range-off-by-one"}

# %% one_hot
def one_hot(indices, vocab_size):
    indices = np.asarray(indices)
    if indices.min() < 0 or indices.max() > vocab_size:
        raise ValueError("out of range")
    return np.eye(vocab_size)[indices]
