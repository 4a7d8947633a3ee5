"""Bug: one_hot returns integers, not floats."""
EXPECT = {"one_hot": 0}
MISCONCEPTION = {"one_hot": "onehot-integers"}

# %% one_hot
def one_hot(indices, vocab_size):
    indices = np.asarray(indices)
    if indices.min() < 0 or indices.max() >= vocab_size:
        raise ValueError("out of range")
    return (indices[..., None] == np.arange(vocab_size)).astype(int)
