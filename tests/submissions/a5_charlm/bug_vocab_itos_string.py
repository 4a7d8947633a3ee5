'''Bug: itos is returned as a str of the sorted characters instead of a list.'''
EXPECT = {"build_char_vocab": 0}
MISCONCEPTION = {"build_char_vocab": "vocab-itos-string"}

# %% build_char_vocab
def build_char_vocab(text):
    itos = "".join(sorted(set(text)))
    return {c: i for i, c in enumerate(itos)}, itos
