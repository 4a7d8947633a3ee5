'''Bug: X and Y cut separately with unfold: X gets L // seq_len windows and Y (L - 1) // seq_len,
which differ when seq_len divides L.'''
EXPECT = {"make_sequences": 0}
MISCONCEPTION = {"make_sequences": "windows-cut-separately"}

# %% make_sequences
def make_sequences(ids, seq_len):
    X = ids.unfold(0, seq_len, seq_len)
    Y = ids[1:].unfold(0, seq_len, seq_len)
    return X, Y
