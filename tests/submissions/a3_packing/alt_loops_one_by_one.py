"""Correct: plain Python loops everywhere; the model runs each sentence alone, unpadded."""
EXPECT = {}

# %% build_vocab
def build_vocab(sentences):
    words = []
    for s in sentences:
        for w in s.split():
            if w not in words:
                words.append(w)
    return {w: i + 1 for i, w in enumerate(words)}

# %% encode_batch
def encode_batch(sentences, vocab):
    rows = [[vocab[w] for w in s.split()] for s in sentences]
    longest = max(len(r) for r in rows)
    ids = torch.LongTensor([r + [0] * (longest - len(r)) for r in rows])
    return ids, torch.LongTensor([len(r) for r in rows])

# %% last_valid_output
def last_valid_output(output, lengths):
    rows = []
    for n in range(output.shape[0]):
        rows.append(output[n, int(lengths[n]) - 1])
    return torch.stack(rows)

# %% SentimentLSTM
class SentimentLSTM(nn.Module):
    def __init__(self, vocab_size, embed_dim, hidden_size, num_classes, proj_size=0):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.lstm = nn.LSTM(embed_dim, hidden_size, batch_first=True, proj_size=proj_size)
        self.fc = nn.Linear(proj_size or hidden_size, num_classes)

    def forward(self, ids, lengths):
        finals = []
        for n in range(ids.shape[0]):
            x = self.embed(ids[n, : int(lengths[n])]).unsqueeze(0)  # (1, l_n, D): no padding at all
            out, (h, c) = self.lstm(x)
            finals.append(out[0, -1])
        return self.fc(torch.stack(finals))
