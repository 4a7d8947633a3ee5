'''Correct, written differently: generate runs under torch.inference_mode(), keeps the ids in a
growing tensor (torch.cat), slices the logits with squeeze(0)[-1] and calls model.forward
explicitly; the last sampled character is fed too (one extra call). Full marks.'''
EXPECT = {}

# %% generate
def generate(model, stoi, itos, prompt, length, temperature=1.0, generator=None):
    with torch.inference_mode():
        ids = torch.tensor([stoi[c] for c in prompt], dtype=torch.int64)
        logits, state = model.forward(ids.view(1, -1))
        for _ in range(length):
            nxt = sample_next(logits.squeeze(0)[-1], temperature, generator)
            ids = torch.cat([ids, torch.tensor([nxt])])
            logits, state = model.forward(ids[-1:].view(1, 1), state)
    return prompt + "".join(itos[int(i)] for i in ids[len(prompt):])
