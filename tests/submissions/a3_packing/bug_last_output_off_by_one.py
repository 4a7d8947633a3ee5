"""Bug: output[n, lengths[n]] (one step too far, clipped at the end) instead of lengths[n] - 1."""
EXPECT = {"last_valid_output": 0}
MISCONCEPTION = {"last_valid_output": "off-by-one-length"}

# %% last_valid_output
def last_valid_output(output, lengths):
    steps = lengths.clamp(max=output.shape[1] - 1)
    return output[torch.arange(output.shape[0]), steps]
