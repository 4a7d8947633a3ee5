"""Correct: regex split with strip, pad_sequence, iterate rows of output, F.embedding on the table, stable sort + index_select to unsort, last output of the sorted unpacked batch."""
EXPECT = {}

# %% build_vocab
import re


def build_vocab(sentences):
    vocab = {}
    for s in sentences:
        for w in re.split(r"\s+", s.strip()):
            if w and w not in vocab:
                vocab[w] = len(vocab) + 1
    return vocab

# %% encode_batch
from torch.nn.utils.rnn import pad_sequence


def encode_batch(sentences, vocab):
    seqs = [torch.LongTensor([vocab[w] for w in s.split()]) for s in sentences]
    return pad_sequence(seqs, batch_first=True), torch.LongTensor(list(map(len, seqs)))

# %% last_valid_output
def last_valid_output(output, lengths):
    return torch.stack([o[l - 1] for o, l in zip(output, lengths)])

# %% SentimentLSTM
import torch.nn.functional as F


class SentimentLSTM(nn.Module):
    def __init__(self, vocab_size, embed_dim, hidden_size, num_classes, proj_size=0):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.lstm = nn.LSTM(embed_dim, hidden_size, batch_first=True, proj_size=proj_size)
        self.fc = nn.Linear(proj_size or hidden_size, num_classes)

    def forward(self, ids, lengths):
        sorted_lengths, order = torch.sort(lengths, descending=True, stable=True)
        x = F.embedding(ids.index_select(0, order), self.embed.weight, padding_idx=0)
        packed = pack_padded_sequence(x, sorted_lengths.cpu(), batch_first=True)
        out, _ = pad_packed_sequence(self.lstm(packed)[0], batch_first=True)
        last = out[torch.arange(len(order)), sorted_lengths - 1]
        unsort = torch.empty_like(order)
        unsort[order] = torch.arange(len(order))
        return self.fc(last.index_select(0, unsort))
