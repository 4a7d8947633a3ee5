"""Correct: a hand-written stable softmax with clamped denominators, arange >= comparisons, a transposed-comparison padding mask, a where(sin, cos) table, and per-head F.linear on slices of each projection's weight."""
EXPECT = {}

# %% scaled_dot_product_attention
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = (q / math.sqrt(q.shape[-1])) @ k.mT
    if mask is not None:
        mask = torch.broadcast_to(mask, scores.shape)
        scores = torch.where(mask, scores, torch.full_like(scores, -math.inf))
    top = scores.amax(dim=-1, keepdim=True)
    top = torch.where(torch.isfinite(top), top, torch.zeros_like(top))  # fully masked row: any shift
    e = torch.exp(scores - top)
    weights = e / e.sum(dim=-1, keepdim=True).clamp_min(torch.finfo(e.dtype).tiny)
    return weights @ v, weights

# %% causal_mask
def causal_mask(T):
    return torch.arange(T)[:, None] >= torch.arange(T)[None, :]

# %% padding_mask
def padding_mask(lengths, T):
    return (torch.arange(T)[:, None] < lengths[None, :]).T.contiguous()

# %% positional_encoding
def positional_encoding(T, d):
    if d % 2 == 1:
        raise ValueError(f"positional_encoding needs an even d, got {d}")
    p, c = torch.meshgrid(torch.arange(T, dtype=torch.float64), torch.arange(d, dtype=torch.float64), indexing="ij")
    angle = p / 10000.0 ** ((c - c % 2) / d)
    return torch.where(c % 2 == 0, torch.sin(angle), torch.cos(angle)).float()

# %% MultiHeadAttention
class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        if d_model % num_heads:
            raise ValueError("d_model % num_heads != 0")
        self.num_heads, self.d_head = num_heads, d_model // num_heads
        for name in ("q_proj", "k_proj", "v_proj", "out_proj"):
            setattr(self, name, nn.Linear(d_model, d_model))

    def forward(self, query, key, value, mask=None):
        outs, weights = [], []
        for j in range(self.num_heads):
            rows = slice(j * self.d_head, (j + 1) * self.d_head)
            q = F.linear(query, self.q_proj.weight[rows], self.q_proj.bias[rows])
            k = F.linear(key, self.k_proj.weight[rows], self.k_proj.bias[rows])
            v = F.linear(value, self.v_proj.weight[rows], self.v_proj.bias[rows])
            m = None if mask is None else torch.broadcast_to(
                mask, (query.shape[0], self.num_heads, query.shape[1], key.shape[1]))[:, j]
            o, w = scaled_dot_product_attention(q, k, v, m)
            outs.append(o)
            weights.append(w)
        return self.out_proj(torch.cat(outs, dim=-1)), torch.stack(weights, dim=1)
