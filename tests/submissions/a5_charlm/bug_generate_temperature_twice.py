'''Bug: generate divides the logits by the temperature itself and also passes the temperature on,
so sample_next applies it twice.'''
EXPECT = {"generate": 0}
MISCONCEPTION = {"generate": "temperature-twice"}

# %% generate
def generate(model, stoi, itos, prompt, length, temperature=1.0, generator=None):
    out = prompt
    with torch.no_grad():
        logits, state = model(torch.tensor([[stoi[ch] for ch in prompt]]))
        for _ in range(length):
            idx = sample_next(logits[0, -1] / temperature, temperature, generator)
            out += itos[idx]
            logits, state = model(torch.tensor([[idx]]), state)
    return out
