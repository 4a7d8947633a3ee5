"""Bug: the width comes from lengths.max() instead of the argument T."""
EXPECT = {"padding_mask": 0}
MISCONCEPTION = {"padding_mask": "padding-width-from-lengths"}

# %% padding_mask
def padding_mask(lengths, T):
    return torch.arange(int(lengths.max())) < lengths[:, None]
