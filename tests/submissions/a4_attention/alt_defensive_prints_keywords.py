"""Correct: input checks and debug prints, keyword calls, nan_to_num after an ordinary -inf softmax, masks from comparisons with explicit dtypes, exp-log frequencies in float64, and a forward whose key/value default to the query."""
EXPECT = {}

# %% scaled_dot_product_attention
def scaled_dot_product_attention(q, k, v, mask=None):
    assert q.shape[-1] == k.shape[-1], "q and k need the same width"
    assert k.shape[-2] == v.shape[-2], "k and v need the same length"
    if mask is not None:
        assert mask.dtype == torch.bool, mask.dtype
    print("attention", tuple(q.shape), tuple(k.shape), tuple(v.shape))
    scores = torch.matmul(q, k.transpose(dim0=-2, dim1=-1)).div(math.sqrt(q.shape[-1]))
    if mask is not None:
        scores = scores.masked_fill(mask=~mask, value=float("-inf"))
    weights = torch.nan_to_num(F.softmax(scores, dim=-1), nan=0.0)
    return torch.matmul(weights, v), weights

# %% causal_mask
def causal_mask(T):
    rows = torch.arange(T, dtype=torch.long).view(T, 1)
    cols = torch.arange(T, dtype=torch.long).view(1, T)
    mask = cols <= rows
    assert mask.dtype == torch.bool
    return mask

# %% padding_mask
def padding_mask(lengths, T):
    if (lengths > T).any():
        raise ValueError("a length exceeds T")
    positions = torch.arange(T, device=lengths.device).expand(lengths.shape[0], T)
    return positions.lt(lengths.view(-1, 1))

# %% positional_encoding
def positional_encoding(T, d):
    if not isinstance(d, int) or d % 2:
        raise ValueError("d must be an even integer")
    div = torch.exp(-math.log(10000.0) * torch.arange(0, d, 2, dtype=torch.float64) / d)
    angle = torch.arange(T, dtype=torch.float64).unsqueeze(1) * div.unsqueeze(0)
    pe = torch.stack((angle.sin(), angle.cos()), dim=2).flatten(1)
    print("pe", tuple(pe.shape))
    return pe.type(torch.float32)

# %% MultiHeadAttention
class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        if num_heads <= 0 or d_model % num_heads != 0:
            raise ValueError(f"cannot split d_model={d_model} into {num_heads} heads")
        self.d_model, self.num_heads = d_model, num_heads
        self.q_proj = nn.Linear(in_features=d_model, out_features=d_model, bias=True)
        self.k_proj = nn.Linear(in_features=d_model, out_features=d_model, bias=True)
        self.v_proj = nn.Linear(in_features=d_model, out_features=d_model, bias=True)
        self.out_proj = nn.Linear(in_features=d_model, out_features=d_model, bias=True)
        self.last_weights = None  # kept for inspection

    def forward(self, query, key=None, value=None, mask=None):
        key = query if key is None else key
        value = key if value is None else value
        B, Tq, D = query.shape
        Tk = key.shape[1]
        assert D == self.d_model and key.shape[-1] == D and value.shape[:2] == key.shape[:2]
        if mask is not None and mask.dim() == 3:  # (B, Tq, Tk): one mask for every head
            mask = mask.unsqueeze(1)
        dh = D // self.num_heads
        q = self.q_proj(query).reshape(B, Tq, self.num_heads, dh).transpose(1, 2)
        k = self.k_proj(key).reshape(B, Tk, self.num_heads, dh).transpose(1, 2)
        v = self.v_proj(value).reshape(B, Tk, self.num_heads, dh).transpose(1, 2)
        out, weights = scaled_dot_product_attention(q=q, k=k, v=v, mask=mask)
        print("heads", tuple(out.shape))
        self.last_weights = weights.detach()
        return self.out_proj(out.transpose(1, 2).reshape(B, Tq, D)), weights
