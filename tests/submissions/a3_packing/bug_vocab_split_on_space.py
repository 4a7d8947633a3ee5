"""Bug: split(" ") instead of split(): tabs and runs of spaces make bogus words ('' among them)."""
EXPECT = {"build_vocab": 0}
MISCONCEPTION = {"build_vocab": "split-on-single-space"}

# %% build_vocab
def build_vocab(sentences):
    vocab = {}
    for s in sentences:
        for w in s.split(" "):
            if w not in vocab:
                vocab[w] = len(vocab) + 1
    return vocab
