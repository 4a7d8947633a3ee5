"""course_lib.torch_nn.transformer against nn.TransformerEncoderLayer, and the small models' shapes."""
from __future__ import annotations

import pytest
import torch
from torch import nn

from course_lib.grading import assert_close
from course_lib.torch_nn import attention as att
from course_lib.torch_nn.transformer import EncoderBlock, LSTMTagger, TinyTransformer, saved_tensor_bytes

N, T, D, H, F = 2, 5, 12, 3, 20


def copied_block() -> tuple[EncoderBlock, nn.TransformerEncoderLayer]:
    torch.manual_seed(0)
    layer = nn.TransformerEncoderLayer(D, H, dim_feedforward=F, dropout=0.0, batch_first=True).double()
    with torch.no_grad():
        for p in layer.parameters():
            p.add_(0.1 * torch.randn_like(p))  # LayerNorm starts at (1, 0): make it non-trivial
    return EncoderBlock(D, H, F).double().load_from_torch(layer), layer


def test_block_matches_torch():
    block, layer = copied_block()
    layer.train()  # the fast path of eval() is a different kernel; train() with dropout 0 is exact math
    x = torch.randn(N, T, D, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    y = block(x)
    assert isinstance(y, torch.Tensor) and y.shape == (N, T, D)
    assert_close(y, layer(x), name="encoder block")
    y_again, weights = block.forward_with_weights(x)
    assert weights.shape == (N, H, T, T)
    assert_close(y_again, y, name="forward_with_weights output")
    assert_close(weights.sum(-1), torch.ones(N, H, T, dtype=torch.float64), name="attention rows sum to 1")


def test_block_has_the_contract_attributes():
    block = EncoderBlock(D, H, F)
    assert isinstance(block.attn, att.MultiHeadAttention)
    assert (block.ff1.in_features, block.ff1.out_features) == (D, F)
    assert (block.ff2.in_features, block.ff2.out_features) == (F, D)
    assert all(isinstance(n, nn.LayerNorm) and n.normalized_shape == (D,) for n in (block.norm1, block.norm2))
    assert block.norm1 is not block.norm2


def test_block_with_padding_and_causal_masks_matches_torch():
    block, layer = copied_block()
    layer.train()
    x = torch.randn(N, T, D, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    keys = att.padding_mask(torch.tensor([3, T]), T)
    y = block(x, att.causal_mask(T) & keys[:, None, None, :])
    expected = layer(x, src_mask=~att.causal_mask(T), src_key_padding_mask=~keys)
    assert_close(y, expected, name="masked encoder block")


@pytest.mark.parametrize("num_layers", [1, 2])
def test_tiny_transformer_shapes(num_layers):
    model = TinyTransformer(7, 4, d_model=8, num_heads=2, num_layers=num_layers, max_len=16)
    logits, weights = model(torch.randint(0, 7, (N, T)))
    assert logits.shape == (N, T, 4)
    assert len(weights) == num_layers and all(w.shape == (N, 2, T, T) for w in weights)


def test_tiny_transformer_without_positions_is_permutation_equivariant():
    torch.manual_seed(0)
    model = TinyTransformer(7, 4, d_model=8, num_heads=2, use_positions=False).double()
    ids = torch.randint(0, 7, (N, T))
    perm = torch.tensor([4, 2, 0, 1, 3])
    assert_close(model(ids[:, perm])[0], model(ids)[0][:, perm], name="permuted logits")
    with_pos = TinyTransformer(7, 4, d_model=8, num_heads=2).double()
    with_pos.load_state_dict(model.state_dict())
    assert not torch.allclose(with_pos(ids[:, perm])[0], with_pos(ids)[0][:, perm])


def test_lstm_tagger_shape():
    assert LSTMTagger(7, 4, embed_dim=5, hidden_size=6)(torch.randint(0, 7, (N, T))).shape == (N, T, 4)


def test_saved_tensor_bytes_grows_quadratically_for_attention():
    torch.manual_seed(0)
    model = TinyTransformer(7, 4, d_model=8, num_heads=2, max_len=256)
    small = saved_tensor_bytes(lambda: model(torch.randint(0, 7, (1, 64)))[0].sum())
    large = saved_tensor_bytes(lambda: model(torch.randint(0, 7, (1, 256)))[0].sum())
    assert large > 4 * small  # linear would be exactly 4x; the (T, T) maps make it more
    assert saved_tensor_bytes(lambda: torch.ones(3).sum()) == 0
