"""Correct: dict.fromkeys + re.findall vocabulary, NumPy-built batch, one-hot einsum last output, and a model that packs a list of unpadded sentences with pack_sequence."""
EXPECT = {}

# %% build_vocab
import re


def build_vocab(sentences):
    words = dict.fromkeys(w for s in sentences for w in re.findall(r"\S+", s))
    return {w: i for i, w in enumerate(words, start=1)}

# %% encode_batch
import numpy as np


def encode_batch(sentences, vocab):
    tokens = [s.split() for s in sentences]
    lengths = np.array([len(t) for t in tokens], dtype=np.int64)
    ids = np.zeros((len(tokens), lengths.max()), dtype=np.int64)
    for n, words in enumerate(tokens):
        ids[n, : len(words)] = [vocab[w] for w in words]  # KeyError names the unknown word
    return torch.from_numpy(ids), torch.from_numpy(lengths)

# %% last_valid_output
def last_valid_output(output, lengths):
    one_hot = nn.functional.one_hot(lengths - 1, num_classes=output.shape[1]).to(output.dtype)  # (N, T)
    return torch.einsum("nt,nth->nh", one_hot, output)

# %% SentimentLSTM
from torch.nn.utils.rnn import pack_sequence


class SentimentLSTM(nn.Module):
    def __init__(self, vocab_size, embed_dim, hidden_size, num_classes, proj_size=0):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.lstm = nn.LSTM(embed_dim, hidden_size, batch_first=True, proj_size=proj_size)
        self.fc = nn.Linear(proj_size if proj_size else hidden_size, num_classes)

    def forward(self, ids, lengths):
        seqs = [self.embed(row[:n]) for row, n in zip(ids, lengths.tolist())]  # unpadded (l_n, D) each
        _, (h, _) = self.lstm(pack_sequence(seqs, enforce_sorted=False))
        return self.fc(h.squeeze(0))
