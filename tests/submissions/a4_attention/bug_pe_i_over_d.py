"""Bug: the exponent uses i/d (the pair index) instead of 2i/d."""
EXPECT = {"positional_encoding": 0}
MISCONCEPTION = {"positional_encoding": "pe-exponent-i-over-d"}

# %% positional_encoding
def positional_encoding(T, d):
    if d % 2:
        raise ValueError("odd d")
    angle = torch.arange(T, dtype=torch.float64)[:, None] / 10000 ** (torch.arange(d // 2, dtype=torch.float64) / d)
    pe = torch.zeros(T, d, dtype=torch.float64)
    pe[:, 0::2], pe[:, 1::2] = torch.sin(angle), torch.cos(angle)
    return pe.float()
