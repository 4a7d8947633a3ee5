"""Correct, written differently: F.scaled_dot_product_attention plus a NaN fix, arange comparisons, a Python loop for the table, heads in a loop."""
EXPECT = {}

# %% scaled_dot_product_attention
def scaled_dot_product_attention(q, k, v, mask=None):
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    scores = torch.matmul(q, k.transpose(-1, -2)) / q.size(-1) ** 0.5
    if mask is not None:
        scores = scores.masked_fill(mask.logical_not(), -math.inf)
    weights = scores.softmax(dim=-1)
    return torch.nan_to_num(out, nan=0.0), torch.nan_to_num(weights, nan=0.0)

# %% causal_mask
def causal_mask(T):
    idx = torch.arange(T)
    return idx[None, :] <= idx[:, None]

# %% padding_mask
def padding_mask(lengths, T):
    rows = []
    for n in lengths.tolist():
        rows.append([t < n for t in range(T)])
    return torch.tensor(rows, dtype=torch.bool).reshape(len(rows), T)

# %% positional_encoding
def positional_encoding(T, d):
    if d % 2 == 1:
        raise ValueError("odd d")
    table = [[0.0] * d for _ in range(T)]
    for p in range(T):
        for i in range(d // 2):
            angle = p / 10000 ** (2 * i / d)
            table[p][2 * i] = math.sin(angle)
            table[p][2 * i + 1] = math.cos(angle)
    return torch.tensor(table, dtype=torch.float32).reshape(T, d)

# %% MultiHeadAttention
class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        if d_model % num_heads != 0:
            raise ValueError("d_model must be divisible by num_heads")
        self.h = num_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    def forward(self, query, key, value, mask=None):
        q, k, v = self.q_proj(query), self.k_proj(key), self.v_proj(value)
        dh = q.shape[-1] // self.h
        outs, weights = [], []
        for j in range(self.h):
            m = None
            if mask is not None:
                m = torch.broadcast_to(mask, (q.shape[0], self.h, q.shape[1], k.shape[1]))[:, j]
            o, w = scaled_dot_product_attention(q[..., j * dh:(j + 1) * dh], k[..., j * dh:(j + 1) * dh],
                                                v[..., j * dh:(j + 1) * dh], m)
            outs.append(o)
            weights.append(w)
        return self.out_proj(torch.cat(outs, dim=-1)), torch.stack(weights, dim=1)
