"""Bug: the mask zeroes weights after the softmax and the rows are not renormalised."""
EXPECT = {"scaled_dot_product_attention": 0}
MISCONCEPTION = {"scaled_dot_product_attention": "mask-after-softmax"}

# %% scaled_dot_product_attention
def scaled_dot_product_attention(q, k, v, mask=None):
    weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), dim=-1)
    if mask is not None:
        weights = weights * mask
    return weights @ v, weights
