'''Bug: the targets are the inputs themselves (no one-step shift).'''
EXPECT = {"make_sequences": 0}
MISCONCEPTION = {"make_sequences": "targets-not-shifted"}

# %% make_sequences
def make_sequences(ids, seq_len):
    M = (len(ids) - 1) // seq_len
    X = ids[: M * seq_len].reshape(M, seq_len)
    return X, X.clone()
