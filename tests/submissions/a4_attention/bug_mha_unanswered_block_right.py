"""MultiHeadAttention left unanswered (raise NotImplementedError()), a right EncoderBlock: the block
cannot even be built, and its message says to do MultiHeadAttention first."""
EXPECT = {"MultiHeadAttention": 0, "EncoderBlock": 0}
STATUS = {"EncoderBlock": "EncoderBlock uses your MultiHeadAttention, which fails its own checks: fix that exercise first"}

# %% MultiHeadAttention
class MultiHeadAttention(nn.Module):
    """Multi-head attention with q_proj, k_proj, v_proj, out_proj = nn.Linear(d_model, d_model)."""

    def __init__(self, d_model, num_heads):
        super().__init__()
        raise NotImplementedError()

    def forward(self, query, key, value, mask=None):
        raise NotImplementedError()
