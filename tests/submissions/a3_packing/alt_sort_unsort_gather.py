"""Correct: setdefault vocabulary, pad_sequence, torch.gather, and a model that sorts by hand and unsorts."""
EXPECT = {}

# %% build_vocab
def build_vocab(sentences):
    vocab = {}
    for word in " ".join(sentences).split():
        vocab.setdefault(word, len(vocab) + 1)
    return vocab

# %% encode_batch
from torch.nn.utils.rnn import pad_sequence


def encode_batch(sentences, vocab):
    seqs = [torch.tensor([vocab[w] for w in s.split()], dtype=torch.long) for s in sentences]
    lengths = torch.tensor([len(s) for s in seqs])
    return pad_sequence(seqs, batch_first=True, padding_value=0), lengths

# %% last_valid_output
def last_valid_output(output, lengths):
    index = (lengths - 1).view(-1, 1, 1).expand(-1, 1, output.size(2))
    return torch.gather(output, 1, index).squeeze(1)

# %% SentimentLSTM
class SentimentLSTM(nn.Module):
    def __init__(self, vocab_size, embed_dim, hidden_size, num_classes, proj_size=0):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.lstm = nn.LSTM(embed_dim, hidden_size, batch_first=True, proj_size=proj_size)
        self.fc = nn.Linear(proj_size if proj_size > 0 else hidden_size, num_classes)

    def forward(self, ids, lengths):
        sorted_lengths, order = lengths.sort(descending=True)
        unsort = order.argsort()
        x = self.embed(ids[order])
        packed = pack_padded_sequence(x, sorted_lengths.tolist(), batch_first=True)  # enforce_sorted=True
        out, _ = self.lstm(packed)
        out, _ = pad_packed_sequence(out, batch_first=True)
        index = (sorted_lengths - 1).view(-1, 1, 1).expand(-1, 1, out.size(2))
        last = out.gather(1, index).squeeze(1)
        return self.fc(last[unsort])
