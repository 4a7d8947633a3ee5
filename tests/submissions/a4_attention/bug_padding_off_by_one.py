"""Bug: position == length is counted as a real token."""
EXPECT = {"padding_mask": 0}
MISCONCEPTION = {"padding_mask": "padding-off-by-one"}

# %% padding_mask
def padding_mask(lengths, T):
    return torch.arange(T) <= lengths[:, None]
