'''Projects the query with W_k and the keys with W_q.'''
EXPECT = {"additive_attention": 0}
MISCONCEPTION = {"additive_attention": "attention-swapped-projections"}

# %% additive_attention
def additive_attention(query, keys, mask, W_q, W_k, v):
    scores = torch.tanh((query @ W_k)[:, None, :] + keys @ W_q) @ v
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return (weights[:, :, None] * keys).sum(1), weights
