'''Every exercise right, with every parameter renamed: parameter names belong to the student
(tests pass arguments by position, by keyword only for parameters with defaults, like mask=).'''
EXPECT = {}

# %% scaled_dot_product_attention
def scaled_dot_product_attention(queries, keys, values, mask=None):
    scores = queries @ keys.transpose(-2, -1) / math.sqrt(queries.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    probs = torch.softmax(scores, dim=-1)
    if mask is not None:
        probs = torch.where(mask, probs, torch.zeros_like(probs))
    return probs @ values, probs

# %% causal_mask
def causal_mask(n):
    return torch.ones(n, n, dtype=torch.bool).tril()

# %% padding_mask
def padding_mask(lens, max_len):
    return torch.arange(max_len)[None, :] < lens[:, None]

# %% positional_encoding
def positional_encoding(n_pos, width):
    if width % 2:
        raise ValueError("the width must be even")
    pos = torch.arange(n_pos, dtype=torch.float64)[:, None]
    angle = pos / 10000 ** (torch.arange(0, width, 2, dtype=torch.float64) / width)
    table = torch.zeros(n_pos, width, dtype=torch.float64)
    table[:, 0::2] = torch.sin(angle)
    table[:, 1::2] = torch.cos(angle)
    return table.float()

# %% MultiHeadAttention
class MultiHeadAttention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        if width % heads:
            raise ValueError("width must be divisible by heads")
        self.heads = heads
        self.q_proj = nn.Linear(width, width)
        self.k_proj = nn.Linear(width, width)
        self.v_proj = nn.Linear(width, width)
        self.out_proj = nn.Linear(width, width)

    def forward(self, q_in, k_in, v_in, mask=None):
        def split(t):
            return t.reshape(t.shape[0], t.shape[1], self.heads, -1).transpose(1, 2)

        ctx, probs = scaled_dot_product_attention(split(self.q_proj(q_in)), split(self.k_proj(k_in)),
                                                  split(self.v_proj(v_in)), mask)
        return self.out_proj(ctx.transpose(1, 2).reshape(q_in.shape[0], q_in.shape[1], -1)), probs

# %% EncoderBlock
class EncoderBlock(nn.Module):
    def __init__(self, width, heads, hidden):
        super().__init__()
        self.attn = MultiHeadAttention(width, heads)
        self.ff1 = nn.Linear(width, hidden)
        self.ff2 = nn.Linear(hidden, width)
        self.norm1 = nn.LayerNorm(width)
        self.norm2 = nn.LayerNorm(width)

    def forward(self, inp, mask=None):
        mid = self.norm1(inp + self.attn(inp, inp, inp, mask)[0])
        return self.norm2(mid + self.ff2(torch.relu(self.ff1(mid))))
