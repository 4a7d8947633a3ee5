"""Bug: scales q in place (q /= sqrt(d)): right results, but the caller's q is changed."""
EXPECT = {"scaled_dot_product_attention": 0}
MISCONCEPTION = {"scaled_dot_product_attention": "changed-argument-in-place"}

# %% scaled_dot_product_attention
def scaled_dot_product_attention(q, k, v, mask=None):
    q /= math.sqrt(q.shape[-1])
    scores = q @ k.transpose(-2, -1)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.nan_to_num(torch.softmax(scores, dim=-1), nan=0.0)
    return weights @ v, weights
