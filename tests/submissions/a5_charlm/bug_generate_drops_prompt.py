'''Bug: generate returns only the new characters, without the prompt.'''
EXPECT = {"generate": 0}
MISCONCEPTION = {"generate": "drops-prompt"}

# %% generate
def generate(model, stoi, itos, prompt, length, temperature=1.0, generator=None):
    new = []
    with torch.no_grad():
        logits, state = model(torch.tensor([[stoi[ch] for ch in prompt]]))
        for _ in range(length):
            idx = sample_next(logits[0, -1], temperature, generator)
            new.append(itos[idx])
            logits, state = model(torch.tensor([[idx]]), state)
    return "".join(new)
