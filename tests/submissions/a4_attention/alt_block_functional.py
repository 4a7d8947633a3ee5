"""Right: the block written with torch.nn.functional calls (F.linear, F.relu, F.layer_norm) on the
modules' own weights, and the attention's forward called directly."""
EXPECT = {}

# %% EncoderBlock
class EncoderBlock(nn.Module):
    def __init__(self, width, heads, hidden):
        super().__init__()
        self.attn = MultiHeadAttention(width, heads)
        self.ff1 = nn.Linear(width, hidden)
        self.ff2 = nn.Linear(hidden, width)
        self.norm1 = nn.LayerNorm(width)
        self.norm2 = nn.LayerNorm(width)

    @staticmethod
    def _norm(module, t):
        return F.layer_norm(t, module.normalized_shape, module.weight, module.bias, module.eps)

    def forward(self, inputs, mask=None):
        attended, _ = self.attn.forward(inputs, inputs, inputs, mask=mask)
        h = self._norm(self.norm1, inputs + attended)
        hidden = F.relu(F.linear(h, self.ff1.weight, self.ff1.bias))
        return self._norm(self.norm2, h + F.linear(hidden, self.ff2.weight, self.ff2.bias))
