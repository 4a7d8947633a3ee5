"""Bug in MultiHeadAttention (scores divided by sqrt(d_model), not sqrt(d_head)), a right EncoderBlock:
the block fails because it uses that attention, and its message says to fix MultiHeadAttention first."""
EXPECT = {"MultiHeadAttention": 0, "EncoderBlock": 0}
STATUS = {"EncoderBlock": "EncoderBlock uses your MultiHeadAttention, which fails its own checks: fix that exercise first"}

# %% MultiHeadAttention
class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        if d_model % num_heads:
            raise ValueError("d_model % num_heads != 0")
        self.num_heads, self.d_head = num_heads, d_model // num_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    def forward(self, query, key, value, mask=None):
        B, Tq, D = query.shape
        def split(x):
            return x.reshape(x.shape[0], x.shape[1], self.num_heads, self.d_head).transpose(1, 2)
        q, k, v = split(self.q_proj(query)), split(self.k_proj(key)), split(self.v_proj(value))
        scores = q @ k.transpose(-2, -1) / math.sqrt(D)
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        weights = torch.nan_to_num(torch.softmax(scores, dim=-1), nan=0.0)
        heads = (weights @ v).transpose(1, 2).reshape(B, Tq, D)
        return self.out_proj(heads), weights

# %% EncoderBlock
class EncoderBlock(nn.Module):
    def __init__(self, d_model, num_heads, d_ff):
        super().__init__()
        self.attn = MultiHeadAttention(d_model, num_heads)
        self.ff1 = nn.Linear(d_model, d_ff)
        self.ff2 = nn.Linear(d_ff, d_model)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)

    def forward(self, x, mask=None):
        h = self.norm1(x + self.attn(x, x, x, mask)[0])
        return self.norm2(h + self.ff2(torch.relu(self.ff1(h))))
