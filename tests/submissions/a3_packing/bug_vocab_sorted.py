"""Bug: ids follow alphabetical order instead of first appearance."""
EXPECT = {"build_vocab": 0}
MISCONCEPTION = {"build_vocab": "vocab-sorted"}

# %% build_vocab
def build_vocab(sentences):
    words = sorted({w for s in sentences for w in s.split()})
    return {w: i + 1 for i, w in enumerate(words)}
