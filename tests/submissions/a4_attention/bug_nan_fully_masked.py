"""Bug: masked with -inf but a fully masked row is left as NaN."""
EXPECT = {"scaled_dot_product_attention": 0}
MISCONCEPTION = {"scaled_dot_product_attention": "fully-masked-nan"}

# %% scaled_dot_product_attention
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights
