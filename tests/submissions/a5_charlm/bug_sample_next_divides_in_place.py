'''Bug: the logits are divided by the temperature in place, changing the caller's tensor.'''
EXPECT = {"sample_next": 0}
MISCONCEPTION = {"sample_next": "changed-argument-in-place"}

# %% sample_next
def sample_next(logits, temperature, generator=None):
    if temperature < 0:
        raise ValueError("negative temperature")
    if temperature == 0:
        return int(torch.argmax(logits))
    logits /= temperature
    return int(torch.multinomial(torch.softmax(logits, dim=-1), 1, generator=generator))
