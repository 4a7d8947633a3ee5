'''Never uses the mask: padded source positions get weight like real ones.'''
EXPECT = {"additive_attention": 0}
MISCONCEPTION = {"additive_attention": "attention-mask-ignored"}

# %% additive_attention
def additive_attention(query, keys, mask, W_q, W_k, v):
    scores = torch.tanh((query @ W_q)[:, None, :] + keys @ W_k) @ v
    weights = torch.softmax(scores, dim=-1)
    return (weights[:, :, None] * keys).sum(1), weights
