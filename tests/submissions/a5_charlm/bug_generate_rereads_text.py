'''Bug: re-reads the whole text at every step instead of carrying the state (right text,
quadratic cost, and not what the exercise asks).'''
EXPECT = {"generate": 0}
MISCONCEPTION = {"generate": "rereads-text"}

# %% generate
def generate(model, stoi, itos, prompt, length, temperature=1.0, generator=None):
    text = prompt
    with torch.no_grad():
        for _ in range(length):
            logits, _ = model(torch.tensor([[stoi[ch] for ch in text]]))
            text += itos[sample_next(logits[0, -1], temperature, generator)]
    return text
