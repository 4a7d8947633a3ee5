"""Bug: the causal mask is upper-triangular (every token sees the future)."""
EXPECT = {"causal_mask": 0}
MISCONCEPTION = {"causal_mask": "causal-transposed"}

# %% causal_mask
def causal_mask(T):
    return torch.ones(T, T, dtype=torch.bool).triu()
