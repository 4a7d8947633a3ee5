"""Bug: the KeyError for an unknown word does not say which word."""
EXPECT = {"encode_batch": 0}
MISCONCEPTION = {"encode_batch": "key-error-unnamed"}

# %% encode_batch
def encode_batch(sentences, vocab):
    rows = []
    for s in sentences:
        if any(w not in vocab for w in s.split()):
            raise KeyError("unknown word in sentence")
        rows.append([vocab[w] for w in s.split()])
    longest = max(len(r) for r in rows)
    ids = torch.tensor([r + [0] * (longest - len(r)) for r in rows], dtype=torch.long)
    return ids, torch.tensor([len(r) for r in rows], dtype=torch.long)
