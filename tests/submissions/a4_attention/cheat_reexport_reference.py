"""Cheat: every answer re-exports course_lib's reference (directly, through a wrapper or a subclass)."""
EXPECT = {"scaled_dot_product_attention": 0, "causal_mask": 0, "padding_mask": 0, "positional_encoding": 0,
          "MultiHeadAttention": 0, "EncoderBlock": 0}

# %% scaled_dot_product_attention
from course_lib.torch_nn.attention import scaled_dot_product_attention

# %% causal_mask
from course_lib.torch_nn import attention as _a


def causal_mask(T):
    return _a.causal_mask(T)

# %% padding_mask
from course_lib.torch_nn.attention import padding_mask

# %% positional_encoding
from course_lib.torch_nn.attention import positional_encoding as _pe


def positional_encoding(T, d):
    return _pe(T, d)

# %% MultiHeadAttention
from course_lib.torch_nn.attention import MultiHeadAttention as _Ref


class MultiHeadAttention(_Ref):
    pass

# %% EncoderBlock
from course_lib.torch_nn.transformer import EncoderBlock
