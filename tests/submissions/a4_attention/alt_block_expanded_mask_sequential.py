"""Right: the mask is expanded to its full (B, num_heads, T, T) shape and kept on the module, and
the FFN is an nn.Sequential holding ff1 and ff2 (which adds state_dict keys ffn.0.*, ffn.2.*)."""
EXPECT = {}

# %% EncoderBlock
class EncoderBlock(nn.Module):
    def __init__(self, d_model, num_heads, d_ff):
        super().__init__()
        self.num_heads = num_heads
        self.attn = MultiHeadAttention(d_model, num_heads)
        self.ff1 = nn.Linear(d_model, d_ff)
        self.ff2 = nn.Linear(d_ff, d_model)
        self.ffn = nn.Sequential(self.ff1, nn.ReLU(), self.ff2)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.last_mask = None

    def forward(self, x, mask=None):
        B, T, _ = x.shape
        if mask is not None:
            mask = mask.expand(B, self.num_heads, T, T).clone()
        self.last_mask = mask
        h = self.norm1(x + self.attn(x, x, x, self.last_mask)[0])
        return self.norm2(h + self.ffn(h))
