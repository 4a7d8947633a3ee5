"""Bug: an unknown word silently becomes the padding id 0."""
EXPECT = {"encode_batch": 0}
MISCONCEPTION = {"encode_batch": "unknown-word-silent"}

# %% encode_batch
def encode_batch(sentences, vocab):
    rows = [[vocab.get(w, 0) for w in s.split()] for s in sentences]
    longest = max(len(r) for r in rows)
    ids = torch.tensor([r + [0] * (longest - len(r)) for r in rows], dtype=torch.long)
    return ids, torch.tensor([len(r) for r in rows], dtype=torch.long)
