"""Bug: returns the table in float64, not float32."""
EXPECT = {"positional_encoding": 0}
MISCONCEPTION = {"positional_encoding": "pe-float64"}

# %% positional_encoding
def positional_encoding(T, d):
    if d % 2:
        raise ValueError("odd d")
    position = torch.arange(T, dtype=torch.float64)[:, None]
    angle = position / 10000 ** (torch.arange(0, d, 2, dtype=torch.float64) / d)
    pe = torch.zeros(T, d, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle)
    return pe
