"""Correct: multiplies by d ** -0.5 before the product, masked weights by masked_fill after a -inf softmax, triu-based causal mask via logical_not, arange(T)[None] < lengths[:, None] with le, and an MHA whose output comes from F.scaled_dot_product_attention while its weights are computed alongside."""
EXPECT = {}

# %% scaled_dot_product_attention
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = (q * q.shape[-1] ** -0.5) @ k.transpose(-2, -1)
    if mask is not None:
        scores = scores.masked_fill(~mask, -torch.inf)
    weights = scores.softmax(-1)
    if mask is not None:
        weights = weights.masked_fill(~mask, 0.0)
    return weights @ v, weights

# %% causal_mask
def causal_mask(T):
    return torch.logical_not(torch.ones(T, T, dtype=torch.bool).triu(1))

# %% padding_mask
def padding_mask(lengths, T):
    return torch.arange(T)[None, :].le(lengths[:, None] - 1)

# %% positional_encoding
def positional_encoding(T, d):
    if d % 2:
        raise ValueError("d must be even")
    pe = torch.zeros(T, d)
    position = torch.arange(0, T).unsqueeze(1).float()
    div_term = torch.exp(torch.arange(0, d, 2).float() * (-math.log(10000.0) / d))
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)
    return pe

# %% MultiHeadAttention
class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        if d_model % num_heads:
            raise ValueError("bad")
        self.h = num_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    def _heads(self, x):
        B, T, D = x.shape
        return x.view(B, T, self.h, D // self.h).transpose(1, 2)

    def forward(self, query, key, value, mask=None):
        q, k, v = self._heads(self.q_proj(query)), self._heads(self.k_proj(key)), self._heads(self.v_proj(value))
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        weights = scores.softmax(dim=-1)
        B, _, Tq, _ = out.shape
        return self.out_proj(out.transpose(1, 2).reshape(B, Tq, -1)), weights
