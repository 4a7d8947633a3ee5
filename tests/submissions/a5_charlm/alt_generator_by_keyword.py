"""Correct: passes everything to sample_next by keyword and re-feeds the last character after the loop."""
EXPECT = {}

# %% generate
def generate(model, stoi, itos, prompt, length, temperature=1.0, generator=None):
    chars = list(prompt)
    with torch.no_grad():
        logits, state = model(torch.tensor([[stoi[c] for c in prompt]], dtype=torch.long))
        for _ in range(length):
            idx = sample_next(logits=logits[0, -1], temperature=temperature, generator=generator)
            chars.append(itos[idx])
            logits, state = model(torch.tensor([[idx]], dtype=torch.long), state)
    return "".join(chars)
