"""Bug: an unknown word raises ValueError (naming it) instead of KeyError."""
EXPECT = {"encode_batch": 0}
MISCONCEPTION = {"encode_batch": "wrong-exception-for-unknown-word"}

# %% encode_batch
def encode_batch(sentences, vocab):
    rows = []
    for s in sentences:
        for w in s.split():
            if w not in vocab:
                raise ValueError(f"unknown word {w!r}")
        rows.append([vocab[w] for w in s.split()])
    longest = max(len(r) for r in rows)
    ids = torch.tensor([r + [0] * (longest - len(r)) for r in rows], dtype=torch.long)
    return ids, torch.tensor([len(r) for r in rows], dtype=torch.long)
