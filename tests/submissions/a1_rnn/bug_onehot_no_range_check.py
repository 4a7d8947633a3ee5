"""Bug: one_hot accepts -1 and out-of-range ids (NumPy indexing wraps negatives)."""
EXPECT = {"one_hot": 0}
MISCONCEPTION = {"one_hot": "onehot-no-range-check"}

# %% one_hot
def one_hot(indices, vocab_size):
    return np.eye(vocab_size)[np.asarray(indices)]
