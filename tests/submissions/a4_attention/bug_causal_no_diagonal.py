"""Bug: the causal mask leaves out the diagonal (a token cannot see itself)."""
EXPECT = {"causal_mask": 0}
MISCONCEPTION = {"causal_mask": "causal-no-diagonal"}

# %% causal_mask
def causal_mask(T):
    return torch.ones(T, T, dtype=torch.bool).tril(diagonal=-1)
