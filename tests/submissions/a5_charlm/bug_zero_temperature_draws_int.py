'''Bug: temperature 0 is clamped to 1e-8 and sampled: the result is the argmax (as an int), but
it draws from the generator, which the exercise says temperature 0 must not do.'''
EXPECT = {"sample_next": 0}
MISCONCEPTION = {"sample_next": "zero-temperature-samples"}

# %% sample_next
def sample_next(logits, temperature, generator=None):
    if temperature < 0:
        raise ValueError("negative temperature")
    probs = torch.softmax(logits / max(temperature, 1e-8), dim=-1)
    return int(torch.multinomial(probs, 1, generator=generator))
