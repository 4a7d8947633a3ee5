"""Bug: always pads to 4 words (the seed's max_length) instead of the longest sentence."""
EXPECT = {"encode_batch": 0}
MISCONCEPTION = {"encode_batch": "pads-to-fixed-length"}

# %% encode_batch
MAX_LENGTH = 4


def encode_batch(sentences, vocab):
    rows = [[vocab[w] for w in s.split()] for s in sentences]
    ids = torch.tensor([r + [0] * (MAX_LENGTH - len(r)) for r in rows], dtype=torch.long)
    return ids, torch.tensor([len(r) for r in rows], dtype=torch.long)
