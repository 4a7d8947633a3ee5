'''Bug: generate feeds the prompt one character at a time (len(prompt) calls) instead of the whole
prompt once as a (1, len(prompt)) batch. The text comes out right; the exercise asks otherwise.'''
EXPECT = {"generate": 0}
MISCONCEPTION = {"generate": "prompt-char-by-char"}

# %% generate
def generate(model, stoi, itos, prompt, length, temperature=1.0, generator=None):
    out = prompt
    state = None
    with torch.no_grad():
        for ch in prompt:
            logits, state = model(torch.tensor([[stoi[ch]]]), state)
        for _ in range(length):
            idx = sample_next(logits[0, -1], temperature, generator)
            out += itos[idx]
            logits, state = model(torch.tensor([[idx]]), state)
    return out
