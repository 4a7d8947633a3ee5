"""Correct: Counter vocabulary, pad with F.pad row by row, flat (N*T) indexing, explicit zero initial state passed by keyword, pad_packed_sequence with total_length."""
EXPECT = {}

# %% build_vocab
from collections import Counter, OrderedDict


def build_vocab(sentences):
    counts = Counter()
    for sentence in sentences:
        counts.update(sentence.split())  # a Counter keeps first-appearance order
    vocab = OrderedDict()
    for word in counts:
        vocab[word] = len(vocab) + 1
    return vocab

# %% encode_batch
class UnknownWordError(KeyError):
    pass


def encode_batch(sentences, vocab):
    rows = []
    for s in sentences:
        row = []
        for w in s.split():
            try:
                row.append(vocab[w])
            except KeyError:
                raise UnknownWordError(f"{w} is not in the vocabulary") from None
        rows.append(torch.tensor(row, dtype=torch.int64))
    L = max(len(r) for r in rows)
    ids = torch.stack([nn.functional.pad(r, (0, L - len(r)), value=0) for r in rows])
    return ids, torch.tensor([len(r) for r in rows]).long()

# %% last_valid_output
def last_valid_output(output, lengths):
    N, T, H = output.shape
    flat = output.reshape(N * T, H)
    return flat[torch.arange(N) * T + (lengths - 1)]

# %% SentimentLSTM
class SentimentLSTM(nn.Module):
    def __init__(self, vocab_size, embed_dim, hidden_size, num_classes, proj_size=0):
        super().__init__()
        self.hidden_size, self.proj_size = hidden_size, proj_size
        self.embed = nn.Embedding(num_embeddings=vocab_size, embedding_dim=embed_dim, padding_idx=0)
        self.lstm = nn.LSTM(input_size=embed_dim, hidden_size=hidden_size, num_layers=1, batch_first=True,
                            proj_size=proj_size)
        self.fc = nn.Linear(in_features=proj_size or hidden_size, out_features=num_classes)

    def forward(self, ids, lengths):
        N, T = ids.shape
        h0 = torch.zeros(1, N, self.proj_size or self.hidden_size)
        c0 = torch.zeros(1, N, self.hidden_size)
        packed = pack_padded_sequence(self.embed(ids), lengths.to("cpu"), batch_first=True, enforce_sorted=False)
        out, _ = self.lstm(input=packed, hx=(h0, c0))
        out, out_lengths = pad_packed_sequence(out, batch_first=True, total_length=T)
        return self.fc(last_valid_output(out, out_lengths))
