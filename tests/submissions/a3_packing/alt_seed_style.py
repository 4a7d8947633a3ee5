"""Correct: the seed post's style — pad_packed_sequence then output[range(N), lengths - 1]; a mask-sum last output."""
EXPECT = {}

# %% build_vocab
def build_vocab(sentences):
    vocab = dict()
    next_id = 1
    for sentence in sentences:
        for word in sentence.split():
            if word in vocab:
                continue
            vocab[word] = next_id
            next_id += 1
    return vocab

# %% encode_batch
def encode_batch(sentences, vocab):
    tokens = [s.split() for s in sentences]
    lengths = torch.tensor([len(t) for t in tokens], dtype=torch.int64)
    ids = torch.zeros((len(tokens), int(lengths.max())), dtype=torch.int64)
    for i, words in enumerate(tokens):
        for j, word in enumerate(words):
            ids[i, j] = vocab[word]  # raises KeyError(word) for an unknown word
    return ids, lengths

# %% last_valid_output
def last_valid_output(output, lengths):
    steps = torch.arange(output.shape[1])
    mask = (steps[None, :] == (lengths[:, None] - 1)).to(output.dtype)  # (N, T) one-hot
    return (output * mask[..., None]).sum(dim=1)

# %% SentimentLSTM
class SentimentLSTM(nn.Module):
    def __init__(self, vocab_size, embed_dim, hidden_size, num_classes, proj_size=0):
        super(SentimentLSTM, self).__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.lstm = nn.LSTM(input_size=embed_dim, hidden_size=hidden_size, batch_first=True, proj_size=proj_size)
        out_size = hidden_size if proj_size == 0 else proj_size
        self.fc = nn.Linear(out_size, num_classes)

    def forward(self, ids, lengths):
        embedded = self.embed(ids)
        packed = pack_padded_sequence(embedded, lengths.tolist(), batch_first=True, enforce_sorted=False)
        packed_out, hidden = self.lstm(packed)
        output, output_lengths = pad_packed_sequence(packed_out, batch_first=True)
        output = output[range(output.shape[0]), lengths - 1, :]
        return self.fc(output)
