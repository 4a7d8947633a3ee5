'''Masks with a score of -30: the masked weights are tiny (about 1e-13) but not exactly 0.'''
EXPECT = {"additive_attention": 0}
MISCONCEPTION = {"additive_attention": "attention-mask-fill-finite"}

# %% additive_attention
def additive_attention(query, keys, mask, W_q, W_k, v):
    scores = torch.tanh((query @ W_q)[:, None, :] + keys @ W_k) @ v
    if mask is not None:
        scores = scores.masked_fill(~mask, -30.0)
    weights = torch.softmax(scores, dim=-1)
    return (weights[:, :, None] * keys).sum(1), weights
