"""Bug: dropout (p = 0.1) left in after each sub-layer: active in training mode, a fresh module's mode."""
EXPECT = {"EncoderBlock": 0}

# %% EncoderBlock
class EncoderBlock(nn.Module):
    def __init__(self, d_model, num_heads, d_ff):
        super().__init__()
        self.attn = MultiHeadAttention(d_model, num_heads)
        self.ff1 = nn.Linear(d_model, d_ff)
        self.ff2 = nn.Linear(d_ff, d_model)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.dropout = nn.Dropout(0.1)

    def forward(self, x, mask=None):
        h = self.norm1(x + self.dropout(self.attn(x, x, x, mask)[0]))
        return self.norm2(h + self.dropout(self.ff2(torch.relu(self.ff1(h)))))
