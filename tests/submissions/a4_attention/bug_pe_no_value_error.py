"""Bug: odd d is accepted (the table gets a dangling column) instead of raising ValueError."""
EXPECT = {"positional_encoding": 0}
MISCONCEPTION = {"positional_encoding": "pe-odd-d-accepted"}

# %% positional_encoding
def positional_encoding(T, d):
    angle = torch.arange(T, dtype=torch.float64)[:, None] / 10000 ** (torch.arange(0, d, 2, dtype=torch.float64) / d)
    pe = torch.zeros(T, d + d % 2, dtype=torch.float64)
    pe[:, 0::2], pe[:, 1::2] = torch.sin(angle), torch.cos(angle)
    return pe[:, :d].float()
