"""Bug: a loop that collects rows in torch.zeros(...) without a dtype: float64 inputs come back as float32."""
EXPECT = {"scaled_dot_product_attention": 0}
MISCONCEPTION = {"scaled_dot_product_attention": "dtype-not-kept"}

# %% scaled_dot_product_attention
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.zeros(scores.shape)
    for i in range(scores.shape[-2]):
        row = torch.softmax(scores[..., i, :], dim=-1)
        weights[..., i, :] = torch.nan_to_num(row, nan=0.0)
    return weights @ v.float(), weights
