'''Bug: no check for a negative temperature (it silently samples the least likely characters).'''
EXPECT = {"sample_next": 0}
MISCONCEPTION = {"sample_next": "negative-temperature-accepted"}

# %% sample_next
def sample_next(logits, temperature, generator=None):
    if temperature == 0:
        return int(torch.argmax(logits))
    probs = torch.softmax(logits / temperature, dim=-1)
    return int(torch.multinomial(probs, 1, generator=generator))
