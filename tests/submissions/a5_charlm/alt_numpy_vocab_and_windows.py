'''Correct, written with NumPy where the contract allows: np.unique for the vocabulary (its
elements are np.str_), sliding_window_view for the windows (converted back to long tensors),
and a float64 NumPy softmax handed to torch.multinomial as a tensor. Full marks.'''
EXPECT = {}

# %% build_char_vocab
import numpy as np


def build_char_vocab(text):
    itos = [str(c) for c in np.unique(np.array(list(text)))]  # numpy sorts by code point
    stoi = {c: i for i, c in enumerate(itos)}
    return stoi, itos

# %% make_sequences
import numpy as np


def make_sequences(ids, seq_len):
    a = np.asarray(ids)
    M = (len(a) - 1) // seq_len
    windows = np.lib.stride_tricks.sliding_window_view(a[: M * seq_len + 1], seq_len + 1)[::seq_len]
    X = torch.from_numpy(np.ascontiguousarray(windows[:, :-1])).long()
    Y = torch.from_numpy(np.ascontiguousarray(windows[:, 1:])).long()
    return X, Y

# %% sample_next
import numpy as np


def sample_next(logits, temperature, generator=None):
    if temperature < 0:
        raise ValueError("the temperature cannot be negative")
    z = logits.detach().cpu().numpy().astype(np.float64)
    if temperature == 0:
        return int(np.argmax(z))
    z = z / temperature
    p = np.exp(z - z.max())
    p /= p.sum()
    return int(torch.multinomial(torch.from_numpy(p), 1, generator=generator).item())
