"""Bug: the heads are split by reshaping (B, T, D) straight to (B, h, T, d_head), without the transpose."""
EXPECT = {"MultiHeadAttention": 0, "EncoderBlock": 0}  # the block uses this attention
STATUS = {"EncoderBlock": "fix that exercise first"}

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
            return x.reshape(x.shape[0], self.num_heads, x.shape[1], self.d_head)
        q, k, v = split(self.q_proj(query)), split(self.k_proj(key)), split(self.v_proj(value))
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.d_head)
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        weights = torch.nan_to_num(torch.softmax(scores, dim=-1), nan=0.0)
        heads = (weights @ v).transpose(1, 2).reshape(B, Tq, D)
        return self.out_proj(heads), weights
