'''Bug: generate hands sample_next the softmax probabilities instead of the logits (sample_next
applies its own softmax, so the distribution is wrong).'''
EXPECT = {"generate": 0}
MISCONCEPTION = {"generate": "passes-probabilities"}

# %% generate
def generate(model, stoi, itos, prompt, length, temperature=1.0, generator=None):
    out = prompt
    with torch.no_grad():
        logits, state = model(torch.tensor([[stoi[ch] for ch in prompt]]))
        for _ in range(length):
            probs = torch.softmax(logits[0, -1], dim=-1)
            idx = sample_next(probs, temperature, generator)
            out += itos[idx]
            logits, state = model(torch.tensor([[idx]]), state)
    return out
