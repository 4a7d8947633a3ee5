'''Bug: temperature 0 is clamped to a tiny value and sampled, returning a tensor not an int.'''
EXPECT = {"sample_next": 0}
MISCONCEPTION = {"sample_next": "zero-temperature-samples"}

# %% sample_next
def sample_next(logits, temperature, generator=None):
    if temperature < 0:
        raise ValueError("negative temperature")
    probs = torch.softmax(logits / max(temperature, 1e-3), dim=-1)
    return torch.multinomial(probs, 1, generator=generator)[0]
