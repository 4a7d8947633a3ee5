'''Bug: M = L // seq_len windows, padding the last target with the first character.'''
EXPECT = {"make_sequences": 0}
MISCONCEPTION = {"make_sequences": "windows-count"}

# %% make_sequences
def make_sequences(ids, seq_len):
    M = len(ids) // seq_len
    X = ids[: M * seq_len].reshape(M, seq_len)
    Y = torch.roll(ids, -1)[: M * seq_len].reshape(M, seq_len)
    return X, Y
