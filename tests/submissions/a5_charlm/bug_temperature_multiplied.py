'''Bug: the logits are multiplied by the temperature instead of divided.'''
EXPECT = {"sample_next": 0}
MISCONCEPTION = {"sample_next": "temperature-multiplied"}

# %% sample_next
def sample_next(logits, temperature, generator=None):
    if temperature < 0:
        raise ValueError("negative temperature")
    if temperature == 0:
        return int(torch.argmax(logits))
    probs = torch.softmax(logits * temperature, dim=-1)
    return int(torch.multinomial(probs, 1, generator=generator))
