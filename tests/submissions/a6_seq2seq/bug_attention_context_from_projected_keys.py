'''Averages the projected keys (keys @ W_k, width A) instead of the encoder outputs (width H).'''
EXPECT = {"additive_attention": 0}
MISCONCEPTION = {"additive_attention": "attention-context-from-projected-keys"}

# %% additive_attention
def additive_attention(query, keys, mask, W_q, W_k, v):
    projected = keys @ W_k
    scores = torch.tanh((query @ W_q)[:, None, :] + projected) @ v
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return (weights[:, :, None] * projected).sum(1), weights
