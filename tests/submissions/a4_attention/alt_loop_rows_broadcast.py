"""Correct: an explicit loop over the flattened leading dimensions and query rows (mask broadcast first), nested-list masks, a Python-float table, a head loop with torch.chunk."""
EXPECT = {}

# %% scaled_dot_product_attention
def scaled_dot_product_attention(q, k, v, mask=None):
    lead = torch.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2],
                                  () if mask is None else mask.shape[:-2])
    Tq, Tk, d, dv = q.shape[-2], k.shape[-2], q.shape[-1], v.shape[-1]
    qf = q.expand(*lead, Tq, d).reshape(-1, Tq, d)
    kf = k.expand(*lead, Tk, d).reshape(-1, Tk, d)
    vf = v.expand(*lead, Tk, dv).reshape(-1, Tk, dv)
    mf = None if mask is None else torch.broadcast_to(mask, (*lead, Tq, Tk)).reshape(-1, Tq, Tk)
    outs = torch.zeros(qf.shape[0], Tq, dv, dtype=q.dtype)
    ws = torch.zeros(qf.shape[0], Tq, Tk, dtype=q.dtype)
    for b in range(qf.shape[0]):
        for i in range(Tq):
            s = kf[b] @ qf[b, i] / math.sqrt(d)  # (Tk,)
            keep = torch.ones(Tk, dtype=torch.bool) if mf is None else mf[b, i]
            if not keep.any():
                continue  # nothing to attend: zeros
            w = torch.zeros(Tk, dtype=q.dtype)
            w[keep] = torch.softmax(s[keep], dim=0)
            ws[b, i] = w
            outs[b, i] = w @ vf[b]
    return outs.reshape(*lead, Tq, dv), ws.reshape(*lead, Tq, Tk)

# %% causal_mask
def causal_mask(T):
    return torch.tensor([[j <= i for j in range(T)] for i in range(T)], dtype=torch.bool).reshape(T, T)

# %% padding_mask
def padding_mask(lengths, T):
    return torch.tensor([[t < int(n) for t in range(T)] for n in lengths], dtype=torch.bool).reshape(-1, T)

# %% positional_encoding
def positional_encoding(T, d):
    if d % 2:
        raise ValueError("odd d")
    rows = []
    for p in range(T):
        row = []
        for c in range(d):
            angle = p / 10000 ** (2 * (c // 2) / d)
            row.append(math.sin(angle) if c % 2 == 0 else math.cos(angle))
        rows.append(row)
    return torch.tensor(rows).reshape(T, d)

# %% MultiHeadAttention
class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        if d_model % num_heads:
            raise ValueError("d_model must be a multiple of num_heads")
        self.num_heads = num_heads
        self.q_proj, self.k_proj = nn.Linear(d_model, d_model), nn.Linear(d_model, d_model)
        self.v_proj, self.out_proj = nn.Linear(d_model, d_model), nn.Linear(d_model, d_model)

    def forward(self, query, key, value, mask=None):
        qs = self.q_proj(query).chunk(self.num_heads, dim=-1)
        ks = self.k_proj(key).chunk(self.num_heads, dim=-1)
        vs = self.v_proj(value).chunk(self.num_heads, dim=-1)
        m = None
        if mask is not None:
            m = torch.broadcast_to(mask, (query.shape[0], self.num_heads, query.shape[1], key.shape[1]))
        results = [scaled_dot_product_attention(qs[j], ks[j], vs[j], None if m is None else m[:, j])
                   for j in range(self.num_heads)]
        out = torch.cat([o for o, _ in results], dim=-1)
        return self.out_proj(out), torch.stack([w for _, w in results], dim=1)
