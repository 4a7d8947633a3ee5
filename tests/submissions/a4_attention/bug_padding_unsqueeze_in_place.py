"""Bug: lengths.unsqueeze_(1) reshapes the caller's lengths in place to (B, 1) (the grader copies the new shape back into the test's tensor, as a kernel would show it)."""
EXPECT = {"padding_mask": 0}
MISCONCEPTION = {"padding_mask": "changed-argument-in-place"}

# %% padding_mask
def padding_mask(lengths, T):
    lengths.unsqueeze_(1)
    return torch.arange(T) < lengths
