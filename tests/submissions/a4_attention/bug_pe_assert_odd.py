"""Bug: rejects an odd d with assert (AssertionError), not ValueError."""
EXPECT = {"positional_encoding": 0}
MISCONCEPTION = {"positional_encoding": "pe-odd-d-wrong-exception"}

# %% positional_encoding
def positional_encoding(T, d):
    assert d % 2 == 0, "d must be even"
    position = torch.arange(T, dtype=torch.float64)[:, None]
    angle = position / 10000 ** (torch.arange(0, d, 2, dtype=torch.float64) / d)
    pe = torch.zeros(T, d, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle)
    return pe.float()
