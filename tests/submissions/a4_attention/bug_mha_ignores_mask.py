"""Bug: forward accepts mask and never uses it."""
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
        def split(x):
            return x.reshape(x.shape[0], x.shape[1], self.num_heads, self.d_head).transpose(1, 2)
        q, k, v = split(self.q_proj(query)), split(self.k_proj(key)), split(self.v_proj(value))
        out, weights = scaled_dot_product_attention(q, k, v)
        return self.out_proj(out.transpose(1, 2).reshape(query.shape[0], query.shape[1], -1)), weights
