"""Bug: gather with an (N, 1, 1) index, never expanded over H: only the first feature comes back (right when H == 1)."""
EXPECT = {"last_valid_output": 0}
MISCONCEPTION = {"last_valid_output": "gather-not-expanded"}

# %% last_valid_output
def last_valid_output(output, lengths):
    index = (lengths - 1).view(-1, 1, 1)
    picked = torch.gather(output, 1, index)  # (N, 1, 1)
    return picked.squeeze(1).expand(-1, output.shape[2])
