'''Masks after the softmax: the masked weights are 0, but the others no longer sum to 1.'''
EXPECT = {"additive_attention": 0}
MISCONCEPTION = {"additive_attention": "attention-mask-after-softmax"}

# %% additive_attention
def additive_attention(query, keys, mask, W_q, W_k, v):
    weights = torch.softmax(torch.tanh((query @ W_q)[:, None, :] + keys @ W_k) @ v, dim=-1)
    if mask is not None:
        weights = weights * mask
    return (weights[:, :, None] * keys).sum(1), weights
