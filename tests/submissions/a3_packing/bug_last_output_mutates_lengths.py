"""Bug: `lengths -= 1` in place: right rows, but the caller's lengths shrink by one at every call (a training loop ends up reading padding)."""
EXPECT = {"last_valid_output": 0}
MISCONCEPTION = {"last_valid_output": "changed-argument-in-place"}

# %% last_valid_output
def last_valid_output(output, lengths):
    lengths -= 1
    return output[torch.arange(output.shape[0]), lengths]
