"""Bug: generate samples from a copy of the caller's generator; the caller's never advances, so two
calls with the same generator give the same text."""
EXPECT = {"generate": 0}
MISCONCEPTION = {"generate": "generator-not-passed"}

# %% generate
def generate(model, stoi, itos, prompt, length, temperature=1.0, generator=None):
    if generator is not None:
        copy = torch.Generator()
        copy.set_state(generator.get_state())
        generator = copy
    out = list(prompt)
    with torch.no_grad():
        logits, state = model(torch.tensor([[stoi[ch] for ch in prompt]]))
        for _ in range(length):
            idx = sample_next(logits[0, -1], temperature, generator)
            out.append(itos[idx])
            logits, state = model(torch.tensor([[idx]]), state)
    return "".join(out)
