'''Bug: samples from the logits of the first position of the prompt instead of the last.'''
EXPECT = {"generate": 0}
MISCONCEPTION = {"generate": "first-position-logits"}

# %% generate
def generate(model, stoi, itos, prompt, length, temperature=1.0, generator=None):
    out = prompt
    with torch.no_grad():
        logits, state = model(torch.tensor([[stoi[ch] for ch in prompt]]))
        for _ in range(length):
            idx = sample_next(logits[0, 0], temperature, generator)
            out += itos[idx]
            logits, state = model(torch.tensor([[idx]]), state)
    return out
