'''Bug: characters in order of first appearance instead of sorted.'''
EXPECT = {"build_char_vocab": 0}
MISCONCEPTION = {"build_char_vocab": "vocab-first-appearance"}

# %% build_char_vocab
def build_char_vocab(text):
    itos = list(dict.fromkeys(text))
    return {c: i for i, c in enumerate(itos)}, itos
