"""Bug: the exponent uses the column index j/d, so cosine columns get their own frequency."""
EXPECT = {"positional_encoding": 0}
MISCONCEPTION = {"positional_encoding": "pe-exponent-per-column"}

# %% positional_encoding
def positional_encoding(T, d):
    if d % 2:
        raise ValueError("odd d")
    angle = torch.arange(T, dtype=torch.float64)[:, None] / 10000 ** (torch.arange(d, dtype=torch.float64) / d)
    pe = torch.where(torch.arange(d) % 2 == 0, torch.sin(angle), torch.cos(angle))
    return pe.float()
