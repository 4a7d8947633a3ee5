'''Bug: the text is stripped first, so whitespace that appears only at its ends is missing from
the vocabulary.'''
EXPECT = {"build_char_vocab": 0}
MISCONCEPTION = {"build_char_vocab": "vocab-strips-text"}

# %% build_char_vocab
def build_char_vocab(text):
    itos = sorted(set(text.strip()))
    return {c: i for i, c in enumerate(itos)}, itos
