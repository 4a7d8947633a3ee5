'''Bug: without a generator, sample_next makes a fresh torch.Generator() (always the same default
seed) at every call, so repeated calls keep drawing the same first random number.'''
EXPECT = {"sample_next": 0}
MISCONCEPTION = {"sample_next": "fresh-generator-when-none"}

# %% sample_next
def sample_next(logits, temperature, generator=None):
    if temperature < 0:
        raise ValueError("negative temperature")
    if temperature == 0:
        return int(torch.argmax(logits))
    generator = generator or torch.Generator()
    probs = torch.softmax(logits / temperature, dim=-1)
    return int(torch.multinomial(probs, 1, generator=generator))
