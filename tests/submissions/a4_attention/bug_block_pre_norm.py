"""Bug: pre-norm (x + attn(norm1(x)), then h + ffn(norm2(h))) instead of the contract's post-norm."""
EXPECT = {"EncoderBlock": 0}
STATUS = {"EncoderBlock": "against nn.TransformerEncoderLayer with your weights"}  # the block's own failure, not blamed on MultiHeadAttention

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
        a = self.norm1(x)
        h = x + self.attn(a, a, a, mask)[0]
        return h + self.ff2(torch.relu(self.ff1(self.norm2(h))))
