"""Bug: the width comes from lengths.max() instead of the argument T."""
EXPECT = {"padding_mask": 0}

# %% padding_mask
def padding_mask(lengths, T):
    return torch.arange(int(lengths.max())) < lengths[:, None]
