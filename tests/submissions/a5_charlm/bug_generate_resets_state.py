'''Bug: each new character is fed with a fresh (zero) state instead of the carried one.'''
EXPECT = {"generate": 0}
MISCONCEPTION = {"generate": "state-not-carried"}

# %% generate
def generate(model, stoi, itos, prompt, length, temperature=1.0, generator=None):
    out = prompt
    with torch.no_grad():
        logits, _ = model(torch.tensor([[stoi[ch] for ch in prompt]]))
        for _ in range(length):
            idx = sample_next(logits[0, -1], temperature, generator)
            out += itos[idx]
            logits, _ = model(torch.tensor([[idx]]))
    return out
