"""Right: a generic residual-then-norm helper, the FFN registered first as nn.Sequential and ff1/ff2
taken from it (named_parameters lists those weights as ffn.*), and the ReLU as clamp(min=0)."""
EXPECT = {}

# %% EncoderBlock
class EncoderBlock(nn.Module):
    def __init__(self, d_model, num_heads, d_ff):
        super().__init__()
        self.ffn = nn.Sequential(nn.Linear(d_model, d_ff), nn.Identity(), nn.Linear(d_ff, d_model))
        self.ff1, self.ff2 = self.ffn[0], self.ffn[2]
        self.attn = MultiHeadAttention(d_model, num_heads)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)

    @staticmethod
    def _residual(norm, x, sublayer):
        return norm(x + sublayer(x))

    def forward(self, x, mask=None):
        x = self._residual(self.norm1, x, lambda t: self.attn(t, t, t, mask)[0])
        return self._residual(self.norm2, x, lambda t: self.ff2(self.ff1(t).clamp(min=0)))
