"""Bug: ids start at 0, so the first word collides with padding."""
EXPECT = {"build_vocab": 0}
MISCONCEPTION = {"build_vocab": "ids-from-zero"}

# %% build_vocab
def build_vocab(sentences):
    vocab = {}
    for s in sentences:
        for w in s.split():
            if w not in vocab:
                vocab[w] = len(vocab)
    return vocab
