"""Bug: the seed post's list(set(...)): ids in an arbitrary (hash) order."""
EXPECT = {"build_vocab": 0}
MISCONCEPTION = {"build_vocab": "ids-not-first-appearance"}

# %% build_vocab
def build_vocab(sentences):
    words = list(set(" ".join(sentences).split()))
    return {w: i + 1 for i, w in enumerate(words)}
