'''Bug: softmax written as exp(z / tau) / sum without subtracting the maximum: at a low temperature
(0.01, which chapter 7 asks about) exp overflows to inf and the probabilities are nan.'''
EXPECT = {"sample_next": 0}
MISCONCEPTION = {"sample_next": "softmax-overflows"}

# %% sample_next
def sample_next(logits, temperature, generator=None):
    if temperature < 0:
        raise ValueError("negative temperature")
    if temperature == 0:
        return int(torch.argmax(logits))
    e = torch.exp(logits / temperature)
    return int(torch.multinomial(e / e.sum(), 1, generator=generator))
