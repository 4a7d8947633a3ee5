"""Bug: assumes every mask is a key-padding mask and inserts the query axis (mask[..., None, :]): a (Tq, Tk) or (B, 1, Tq, Tk) mask no longer lines up."""
EXPECT = {"scaled_dot_product_attention": 0}
MISCONCEPTION = {"scaled_dot_product_attention": "mask-shape-assumed"}

# %% scaled_dot_product_attention
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask[..., None, :], float("-inf"))
    weights = torch.nan_to_num(torch.softmax(scores, dim=-1), nan=0.0)
    return weights @ v, weights
