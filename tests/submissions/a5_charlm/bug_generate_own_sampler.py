'''Bug: generate samples with its own inline code instead of calling sample_next.'''
EXPECT = {"generate": 0}
MISCONCEPTION = {"generate": "own-sampler"}

# %% generate
def generate(model, stoi, itos, prompt, length, temperature=1.0, generator=None):
    out = prompt
    with torch.no_grad():
        logits, state = model(torch.tensor([[stoi[ch] for ch in prompt]]))
        for _ in range(length):
            probs = torch.softmax(logits[0, -1] / temperature, dim=-1)
            idx = int(torch.multinomial(probs, 1, generator=generator))
            out += itos[idx]
            logits, state = model(torch.tensor([[idx]]), state)
    return out
