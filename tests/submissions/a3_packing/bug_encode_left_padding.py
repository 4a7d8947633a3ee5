"""Bug: padding on the left (Keras' default) instead of the right."""
EXPECT = {"encode_batch": 0}
MISCONCEPTION = {"encode_batch": "left-padding"}

# %% encode_batch
def encode_batch(sentences, vocab):
    rows = [[vocab[w] for w in s.split()] for s in sentences]
    longest = max(len(r) for r in rows)
    ids = torch.tensor([[0] * (longest - len(r)) + r for r in rows], dtype=torch.long)
    return ids, torch.tensor([len(r) for r in rows], dtype=torch.long)
