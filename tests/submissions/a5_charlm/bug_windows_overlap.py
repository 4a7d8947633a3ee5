'''Bug: windows start at every position (stride 1) instead of every seq_len.'''
EXPECT = {"make_sequences": 0}
MISCONCEPTION = {"make_sequences": "windows-overlap"}

# %% make_sequences
def make_sequences(ids, seq_len):
    M = len(ids) - seq_len
    X = torch.stack([ids[i:i + seq_len] for i in range(M)])
    Y = torch.stack([ids[i + 1:i + seq_len + 1] for i in range(M)])
    return X, Y
