"""Correct: -1e9 instead of -inf, zeroing masked weights by multiplication, NumPy tril, a loop-filled padding mask, torch.pow frequencies in float64, heads handled by einsum on (B, T, h, d_head) without an explicit transpose."""
EXPECT = {}

# %% scaled_dot_product_attention
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = torch.einsum("...id,...jd->...ij", q, k) / math.sqrt(k.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(mask == False, -1e9)  # noqa: E712
    weights = torch.softmax(scores, dim=-1)
    if mask is not None:
        weights = weights * mask.to(weights.dtype)  # a fully masked row was uniform: now all zero
    return weights @ v, weights

# %% causal_mask
import numpy as np


def causal_mask(T):
    return torch.from_numpy(np.tril(np.ones((T, T), dtype=bool)))

# %% padding_mask
def padding_mask(lengths, T):
    mask = torch.zeros(len(lengths), T, dtype=torch.bool)
    for b, n in enumerate(lengths):
        mask[b, : int(n)] = True
    return mask

# %% positional_encoding
def positional_encoding(T, d):
    if d % 2:
        raise ValueError("odd d")
    two_i = torch.arange(0, d, 2, dtype=torch.float64)
    freq = torch.pow(torch.tensor(10000.0, dtype=torch.float64), -two_i / d)
    angle = torch.outer(torch.arange(T, dtype=torch.float64), freq)
    pe = torch.empty(T, d, dtype=torch.float64)
    pe[:, ::2], pe[:, 1::2] = angle.sin(), angle.cos()
    return pe.to(torch.float32)

# %% MultiHeadAttention
class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        if d_model % num_heads:
            raise ValueError("num_heads must divide d_model")
        self.heads = num_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    def forward(self, query, key, value, mask=None):
        h = self.heads
        q = self.q_proj(query).unflatten(-1, (h, -1))  # (B, Tq, h, dh)
        k = self.k_proj(key).unflatten(-1, (h, -1))
        v = self.v_proj(value).unflatten(-1, (h, -1))
        scores = torch.einsum("bqhd,bkhd->bhqk", q, k) / math.sqrt(q.shape[-1])
        if mask is not None:
            scores = scores.masked_fill(~mask, -1e9)
        weights = torch.softmax(scores, dim=-1)
        if mask is not None:
            weights = weights * mask
        out = torch.einsum("bhqk,bkhd->bqhd", weights, v).flatten(-2)
        return self.out_proj(out), weights
