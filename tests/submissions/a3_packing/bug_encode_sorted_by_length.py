"""Bug: sorts the batch by length, longest first (as the seed post does), losing the caller's order."""
EXPECT = {"encode_batch": 0}
MISCONCEPTION = {"encode_batch": "batch-reordered"}

# %% encode_batch
def encode_batch(sentences, vocab):
    rows = [[vocab[w] for w in s.split()] for s in sentences]
    rows = sorted(rows, key=len, reverse=True)
    longest = len(rows[0])
    ids = torch.tensor([r + [0] * (longest - len(r)) for r in rows], dtype=torch.long)
    return ids, torch.tensor([len(r) for r in rows], dtype=torch.long)
