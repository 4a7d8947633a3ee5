"""Bug: lower-cases every word (and strips punctuation), so "Good", "good" and "good!" share one id: not the whitespace tokens asked for."""
EXPECT = {"build_vocab": 0}
MISCONCEPTION = {"build_vocab": "vocab-lowercased"}

# %% build_vocab
import string


def build_vocab(sentences):
    vocab = {}
    for s in sentences:
        for w in s.lower().split():
            w = w.strip(string.punctuation)
            if w and w not in vocab:
                vocab[w] = len(vocab) + 1
    return vocab
