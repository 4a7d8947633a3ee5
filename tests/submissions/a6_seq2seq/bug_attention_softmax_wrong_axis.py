'''Softmax over the batch axis instead of the source positions.'''
EXPECT = {"additive_attention": 0}
MISCONCEPTION = {"additive_attention": "attention-softmax-wrong-axis"}

# %% additive_attention
def additive_attention(query, keys, mask, W_q, W_k, v):
    scores = torch.tanh((query @ W_q)[:, None, :] + keys @ W_k) @ v
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=0)
    return (weights[:, :, None] * keys).sum(1), weights
