"""Correct: an additive float mask and a row-wise 'anything to attend?' fix, tril of ones cast to bool, lengths > arange, a NumPy float64 table cast to float32, heads split with view/permute and merged with permute/contiguous/view, calling the notebook's own attention."""
EXPECT = {}

# %% scaled_dot_product_attention
def scaled_dot_product_attention(q, k, v, mask=None):
    d = q.size(-1)
    scores = torch.matmul(q, k.transpose(-1, -2)) / d ** 0.5
    if mask is not None:
        bias = torch.zeros(mask.shape, dtype=scores.dtype).masked_fill(mask.logical_not(), float("-inf"))
        scores = scores + bias
    weights = scores.softmax(dim=-1)
    if mask is not None:
        has_key = torch.isfinite(scores).any(dim=-1, keepdim=True)
        weights = torch.where(has_key, weights, torch.zeros((), dtype=weights.dtype))
    return torch.matmul(weights, v), weights

# %% causal_mask
def causal_mask(T):
    return torch.tril(torch.ones(T, T)).bool()

# %% padding_mask
def padding_mask(lengths, T):
    return lengths.unsqueeze(-1) > torch.arange(T).unsqueeze(0)

# %% positional_encoding
import numpy as np


def positional_encoding(T, d):
    if d % 2 != 0:
        raise ValueError("d must be even")
    pos = np.arange(T)[:, None]
    i = np.arange(d // 2)[None, :]
    angle = pos / np.power(10000.0, 2 * i / d)
    pe = np.empty((T, d))
    pe[:, 0::2] = np.sin(angle)
    pe[:, 1::2] = np.cos(angle)
    return torch.from_numpy(pe).to(torch.float32)

# %% MultiHeadAttention
class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        if d_model % num_heads != 0:
            raise ValueError(f"{d_model} is not a multiple of {num_heads}")
        self.d_model, self.h = d_model, num_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    def forward(self, query, key, value, mask=None):
        B, Tq, _ = query.shape
        Tk = key.shape[1]
        dh = self.d_model // self.h
        q = self.q_proj(query).view(B, Tq, self.h, dh).permute(0, 2, 1, 3)
        k = self.k_proj(key).view(B, Tk, self.h, dh).permute(0, 2, 1, 3)
        v = self.v_proj(value).view(B, Tk, self.h, dh).permute(0, 2, 1, 3)
        out, weights = scaled_dot_product_attention(q, k, v, mask)
        out = out.permute(0, 2, 1, 3).contiguous().view(B, Tq, self.d_model)
        return self.out_proj(out), weights
