'''Accumulates the context in a float32 buffer made with a bare torch.zeros.'''
EXPECT = {"additive_attention": 0}
MISCONCEPTION = {"additive_attention": "attention-dtype-not-kept"}

# %% additive_attention
def additive_attention(query, keys, mask, W_q, W_k, v):
    scores = torch.tanh((query @ W_q)[:, None, :] + keys @ W_k) @ v
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    context = torch.zeros(keys.shape[0], keys.shape[2])
    for s in range(keys.shape[1]):
        context += weights[:, s, None] * keys[:, s]
    return context, weights
