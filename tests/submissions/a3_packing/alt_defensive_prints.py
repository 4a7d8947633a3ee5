"""Correct: defensive checks and debug prints everywhere, take_along_dim, lengths.tolist() for packing, h_n[0]."""
EXPECT = {}

# %% build_vocab
def build_vocab(sentences):
    assert all(isinstance(s, str) for s in sentences), "sentences must be strings"
    vocab = {}
    next_id = 1
    for s in sentences:
        for w in s.strip().split():
            if w in vocab:
                continue
            vocab[w] = next_id
            next_id += 1
    print("vocabulary of", len(vocab), "words")
    return vocab

# %% encode_batch
def encode_batch(sentences, vocab):
    unknown = [w for s in sentences for w in s.split() if w not in vocab]
    if unknown:
        raise KeyError(f"words not in the vocabulary: {unknown}")
    lengths = [len(s.split()) for s in sentences]
    ids = torch.zeros(len(sentences), max(lengths), dtype=torch.long)
    for n, s in enumerate(sentences):
        for t, w in enumerate(s.split()):
            ids[n, t] = vocab[w]
    print("batch", tuple(ids.shape))
    return ids, torch.as_tensor(lengths, dtype=torch.long)

# %% last_valid_output
def last_valid_output(output, lengths):
    if output.dim() != 3:
        raise ValueError(f"output should be (N, T, H), got {tuple(output.shape)}")
    if not ((lengths >= 1) & (lengths <= output.shape[1])).all():
        raise ValueError("lengths out of range")
    index = (lengths - 1).reshape(-1, 1, 1)
    return torch.take_along_dim(output, index, dim=1).squeeze(1)

# %% SentimentLSTM
class SentimentLSTM(nn.Module):
    def __init__(self, vocab_size, embed_dim, hidden_size, num_classes, proj_size=0):
        super().__init__()
        if proj_size < 0 or (proj_size and proj_size >= hidden_size):
            raise ValueError("proj_size must be 0 or smaller than hidden_size")
        self.embed = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.lstm = nn.LSTM(embed_dim, hidden_size, batch_first=True, proj_size=proj_size)
        self.fc = nn.Linear(self.lstm.proj_size if self.lstm.proj_size > 0 else self.lstm.hidden_size, num_classes)

    def forward(self, ids, lengths):
        assert ids.dim() == 2 and lengths.shape == (ids.shape[0],), (ids.shape, lengths.shape)
        assert int(lengths.max()) <= ids.shape[1]
        emb = self.embed(ids)
        print("embedded", tuple(emb.shape))
        packed = pack_padded_sequence(emb, lengths.tolist(), batch_first=True, enforce_sorted=False)
        _, (h_n, c_n) = self.lstm(packed)
        print("h_n", tuple(h_n.shape), "c_n", tuple(c_n.shape))
        return self.fc(h_n[0])
