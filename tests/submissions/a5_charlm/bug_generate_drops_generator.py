"""Bug: generate does not pass its generator on, so sample_next draws from the global generator."""
EXPECT = {"generate": 0}
MISCONCEPTION = {"generate": "generator-not-passed"}

# %% generate
def generate(model, stoi, itos, prompt, length, temperature=1.0, generator=None):
    out = list(prompt)
    with torch.no_grad():
        logits, state = model(torch.tensor([[stoi[ch] for ch in prompt]]))
        for _ in range(length):
            idx = sample_next(logits[0, -1], temperature)
            out.append(itos[idx])
            logits, state = model(torch.tensor([[idx]]), state)
    return "".join(out)
