"""Correct, written differently: einsum, masked_fill with finfo.min then re-zeroing, triu, exp-log frequencies in float32, permute + view."""
EXPECT = {}

# %% scaled_dot_product_attention
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = torch.einsum("...qd,...kd->...qk", q, k) * (1.0 / math.sqrt(k.shape[-1]))
    if mask is not None:
        scores = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
    weights = F.softmax(scores, dim=-1)
    if mask is not None:
        weights = weights * mask  # a fully masked row was uniform: zero it
    return torch.einsum("...qk,...kv->...qv", weights, v), weights

# %% causal_mask
def causal_mask(T):
    return ~torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)

# %% padding_mask
def padding_mask(lengths, T):
    return ~(torch.arange(T).unsqueeze(0) >= lengths.unsqueeze(1))

# %% positional_encoding
def positional_encoding(T, d):
    if d % 2:
        raise ValueError(f"odd d = {d}")
    div = torch.exp(torch.arange(0, d, 2, dtype=torch.float32) * (-math.log(10000.0) / d))
    angle = torch.arange(T, dtype=torch.float32).unsqueeze(1) * div
    return torch.stack([torch.sin(angle), torch.cos(angle)], dim=-1).reshape(T, d)

# %% MultiHeadAttention
class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        if d_model % num_heads:
            raise ValueError("bad head count")
        self.num_heads = num_heads
        self.q_proj, self.k_proj = nn.Linear(d_model, d_model), nn.Linear(d_model, d_model)
        self.v_proj, self.out_proj = nn.Linear(d_model, d_model), nn.Linear(d_model, d_model)

    def forward(self, query, key, value, mask=None):
        B, Tq, D = query.shape
        Tk, h = key.shape[1], self.num_heads
        q = self.q_proj(query).view(B, Tq, h, D // h).permute(0, 2, 1, 3)
        k = self.k_proj(key).view(B, Tk, h, D // h).permute(0, 2, 1, 3)
        v = self.v_proj(value).view(B, Tk, h, D // h).permute(0, 2, 1, 3)
        out, w = scaled_dot_product_attention(q, k, v, mask)
        return self.out_proj(out.permute(0, 2, 1, 3).contiguous().view(B, Tq, D)), w
