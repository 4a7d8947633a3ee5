"""course_lib.torch_nn.gpt against oracles: torch.nn's Transformer layers and course_lib's attention."""
from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from course_lib.torch_nn.attention import MultiHeadAttention, causal_mask
from course_lib.torch_nn.gpt import GPT, CausalSelfAttention, DecoderBlock

V, B, D, HEADS, F_WIDTH, N, T = 11, 8, 12, 3, 20, 2, 6


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def torch_layer_like(block: DecoderBlock) -> nn.TransformerEncoderLayer:
    """A pre-norm, GELU ``nn.TransformerEncoderLayer`` holding ``block``'s weights (float64)."""
    d_model, d_ff = block.ff1.in_features, block.ff1.out_features
    layer = nn.TransformerEncoderLayer(d_model, block.attn.num_heads, d_ff, dropout=0.0, activation="gelu",
                                       batch_first=True, norm_first=True).double()
    attn = block.attn
    with torch.no_grad():
        projections = (attn.q_proj, attn.k_proj, attn.v_proj)
        layer.self_attn.in_proj_weight.copy_(torch.cat([p.weight for p in projections]))
        layer.self_attn.in_proj_bias.copy_(torch.cat([p.bias for p in projections]))
        layer.self_attn.out_proj.load_state_dict(attn.out_proj.state_dict())
        for mine, theirs in ((block.ff1, layer.linear1), (block.ff2, layer.linear2),
                             (block.norm1, layer.norm1), (block.norm2, layer.norm2)):
            theirs.load_state_dict(mine.state_dict())
    return layer


def randomise(module: nn.Module, generator: torch.Generator) -> nn.Module:
    """Every parameter random (LayerNorm gains and biases too, so that none is a no-op)."""
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape, generator=generator, dtype=p.dtype) * 0.5)
    return module


def test_decoder_block_equals_pre_norm_transformer_encoder_layer_with_causal_mask():
    g = torch.Generator().manual_seed(0)
    block = randomise(DecoderBlock(D, HEADS, F_WIDTH).double(), g)
    layer = torch_layer_like(block)
    x = torch.randn(N, T, D, generator=g, dtype=torch.float64)
    blocked = ~causal_mask(T)  # torch.nn's masks mean the opposite: True = may not attend
    expected = layer(x, src_mask=blocked)
    torch.testing.assert_close(block(x), expected)
    got_slow, weights = block.forward_with_weights(x)
    torch.testing.assert_close(got_slow, expected)
    assert weights.shape == (N, HEADS, T, T)


def test_decoder_block_is_not_post_norm():
    """The oracle can tell: the same weights in a post-norm layer give different outputs."""
    g = torch.Generator().manual_seed(1)
    block = randomise(DecoderBlock(D, HEADS, F_WIDTH).double(), g)
    post = torch_layer_like(block)
    post.norm_first = False
    x = torch.randn(N, T, D, generator=g, dtype=torch.float64)
    assert not torch.allclose(block(x), post(x, src_mask=~causal_mask(T)), atol=1e-3)


def test_fast_attention_equals_course_lib_attention_values_weights_and_gradients():
    g = torch.Generator().manual_seed(2)
    attn = randomise(CausalSelfAttention(D, HEADS).double(), g)
    reference = MultiHeadAttention(D, HEADS).double()
    reference.load_state_dict(attn.state_dict())  # same layout, same names
    x = torch.randn(N, T, D, generator=g, dtype=torch.float64, requires_grad=True)
    expected, expected_weights = reference(x, x, x, causal_mask(T))
    fast, none = attn(x)
    slow, weights = attn(x, need_weights=True)
    assert none is None
    torch.testing.assert_close(fast, expected)
    torch.testing.assert_close(slow, expected)
    torch.testing.assert_close(weights, expected_weights)
    assert torch.all(weights.triu(1) == 0)  # nothing above the diagonal: no look at the future
    torch.testing.assert_close(weights.sum(-1), torch.ones(N, HEADS, T, dtype=torch.float64))
    dout = torch.randn(N, T, D, generator=g, dtype=torch.float64)
    grad_fast = torch.autograd.grad(fast, [x, *attn.parameters()], dout)
    grad_ref = torch.autograd.grad(expected, [x, *reference.parameters()], dout)
    for a, b in zip(grad_fast, grad_ref, strict=True):
        torch.testing.assert_close(a, b)


def test_attention_without_bias_and_bad_heads():
    attn = CausalSelfAttention(D, HEADS, bias=False)
    assert all(p.bias is None for p in (attn.q_proj, attn.k_proj, attn.v_proj, attn.out_proj))
    with pytest.raises(ValueError, match="divisible"):
        CausalSelfAttention(10, 3)


def gpt_oracle(model: GPT, idx: torch.Tensor) -> torch.Tensor:
    """The same computation from torch.nn parts holding copies of the model's weights."""
    embed = nn.Embedding.from_pretrained(model.tok_embed.weight.detach().clone())
    positions = model.pos_embed.weight.detach()[: idx.shape[1]]
    stack = nn.TransformerEncoder(torch_layer_like(model.blocks[0]), num_layers=len(model.blocks),
                                  enable_nested_tensor=False)
    for i, block in enumerate(model.blocks):
        stack.layers[i] = torch_layer_like(block)
    final = nn.LayerNorm(positions.shape[1]).double()
    final.load_state_dict(model.norm.state_dict())
    T = idx.shape[1]
    hidden = stack(embed(idx) + positions, mask=~causal_mask(T))
    return final(hidden) @ model.head.weight.detach().T


@pytest.mark.parametrize("tie_weights", [True, False])
def test_gpt_equals_torch_nn_stack(tie_weights):
    torch.manual_seed(3)
    model = GPT(V, B, d_model=D, num_heads=HEADS, num_layers=2, d_ff=F_WIDTH, tie_weights=tie_weights)
    model = model.double()
    randomise(model, torch.Generator().manual_seed(4))
    idx = torch.randint(0, V, (N, T))
    logits = model(idx)
    assert logits.shape == (N, T, V)
    torch.testing.assert_close(logits, gpt_oracle(model, idx))
    assert (model.head.weight is model.tok_embed.weight) == tie_weights
    untied_extra = 0 if tie_weights else V * D
    tied = GPT(V, B, D, HEADS, 2, F_WIDTH, tie_weights=True)
    assert model.num_parameters() == tied.num_parameters() + untied_extra


def test_gpt_never_reads_the_future():
    """Changing token t + 1 never changes the logits at positions <= t, and does change t + 1's."""
    torch.manual_seed(5)
    model = randomise(GPT(V, B, d_model=D, num_heads=HEADS, num_layers=2).double(),
                      torch.Generator().manual_seed(6))
    idx = torch.randint(0, V, (1, B))
    logits = model(idx)
    for t in range(B - 1):
        changed = idx.clone()
        changed[0, t + 1] = (changed[0, t + 1] + 1) % V
        new = model(changed)
        torch.testing.assert_close(new[:, : t + 1], logits[:, : t + 1], rtol=0, atol=0)
        assert not torch.allclose(new[:, t + 1], logits[:, t + 1])


def test_forward_with_weights_and_block_size():
    torch.manual_seed(7)
    model = GPT(V, B, d_model=D, num_heads=HEADS, num_layers=3).double()
    idx = torch.randint(0, V, (N, T))
    logits, maps = model.forward_with_weights(idx)
    torch.testing.assert_close(logits, model(idx))
    assert len(maps) == 3 and all(m.shape == (N, HEADS, T, T) for m in maps)
    assert all(torch.all(m.triu(1) == 0) for m in maps)
    with pytest.raises(ValueError, match="block size"):
        model(torch.zeros(1, B + 1, dtype=torch.long))


def test_initialisation_follows_gpt2():
    """Small weights (logits near 0, loss near ln V), residual projections scaled by 1/sqrt(2 L)."""
    torch.manual_seed(8)
    vocab, layers = 65, 4
    model = GPT(vocab, 64, d_model=128, num_heads=4, num_layers=layers, bias=False)
    assert model.num_parameters() == 804_096  # nanoGPT's CPU recipe: 0.80M without positions + 64 x 128
    idx = torch.randint(0, vocab, (8, 64))
    targets = torch.randint(0, vocab, (8, 64))
    with torch.no_grad():
        loss = nn.functional.cross_entropy(model(idx).reshape(-1, vocab), targets.reshape(-1))
    assert abs(float(loss) - math.log(vocab)) < 0.05
    assert model.blocks[0].ff1.weight.std().item() == pytest.approx(0.02, rel=0.05)
    scaled = 0.02 / math.sqrt(2 * layers)
    assert model.blocks[0].ff2.weight.std().item() == pytest.approx(scaled, rel=0.05)
    assert model.blocks[0].attn.out_proj.weight.std().item() == pytest.approx(scaled, rel=0.1)
    assert model.blocks[0].norm1.bias is None and model.blocks[0].ff1.bias is None


def test_saved_tensor_bytes_can_leave_parameters_out():
    """A Linear layer keeps its input and its weight for backward; leaving the weight out leaves the input."""
    from course_lib.torch_nn.transformer import saved_tensor_bytes

    layer = nn.Linear(3, 5)
    x = torch.randn(4, 3, requires_grad=True)
    everything = saved_tensor_bytes(lambda: layer(x).sum())
    activations = saved_tensor_bytes(lambda: layer(x).sum(), exclude=layer.parameters())
    assert activations == x.numel() * 4 and everything == activations + layer.weight.numel() * 4
