'''Correct (defensive): generate checks that it was given an nn.Module. The model a test lends
looks like an nn.Module in the sandbox too.'''
EXPECT = {}

# %% generate
def generate(model, stoi, itos, prompt, length, temperature=1.0, generator=None):
    if not isinstance(model, nn.Module):
        raise TypeError(f"model should be an nn.Module, got {type(model).__name__}")
    out = list(prompt)
    with torch.no_grad():
        logits, state = model(torch.tensor([[stoi[ch] for ch in prompt]]))
        for _ in range(length):
            idx = sample_next(logits[0, -1], temperature, generator)
            out.append(itos[idx])
            logits, state = model(torch.tensor([[idx]]), state)
    return "".join(out)
