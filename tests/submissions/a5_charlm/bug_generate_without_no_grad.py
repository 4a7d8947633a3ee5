'''Bug: generate never turns gradients off (no torch.no_grad()), contrary to the exercise text.
The grader forwards the student's grad mode to the model the test lends, so the model sees it.'''
EXPECT = {"generate": 0}
MISCONCEPTION = {"generate": "without-no-grad"}

# %% generate
def generate(model, stoi, itos, prompt, length, temperature=1.0, generator=None):
    out = list(prompt)
    logits, state = model(torch.tensor([[stoi[ch] for ch in prompt]]))
    for _ in range(length):
        idx = sample_next(logits[0, -1], temperature, generator)
        out.append(itos[idx])
        logits, state = model(torch.tensor([[idx]]), state)
    return "".join(out)
