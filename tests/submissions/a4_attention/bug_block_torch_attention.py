"""Bug: attn is PyTorch's nn.MultiheadAttention, not the notebook's MultiHeadAttention (no q_proj, ...)."""
EXPECT = {"EncoderBlock": 0}

# %% EncoderBlock
class EncoderBlock(nn.Module):
    def __init__(self, d_model, num_heads, d_ff):
        super().__init__()
        self.attn = nn.MultiheadAttention(d_model, num_heads, batch_first=True)
        self.ff1 = nn.Linear(d_model, d_ff)
        self.ff2 = nn.Linear(d_ff, d_model)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)

    def forward(self, x, mask=None):
        blocked = None if mask is None else ~mask
        if blocked is not None and blocked.dim() == 4:
            blocked = blocked.expand(x.shape[0], self.attn.num_heads, x.shape[1], x.shape[1]).flatten(0, 1)
        h = self.norm1(x + self.attn(x, x, x, attn_mask=blocked, need_weights=False)[0])
        return self.norm2(h + self.ff2(torch.relu(self.ff1(h))))
