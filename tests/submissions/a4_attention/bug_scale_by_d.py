"""Bug: the scores are divided by d instead of sqrt(d)."""
EXPECT = {"scaled_dot_product_attention": 0}
MISCONCEPTION = {"scaled_dot_product_attention": "scale-by-d"}

# %% scaled_dot_product_attention
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / q.shape[-1]
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.nan_to_num(torch.softmax(scores, dim=-1), nan=0.0)
    return weights @ v, weights
