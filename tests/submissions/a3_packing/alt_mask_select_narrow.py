"""Correct: narrow + contiguous views, last output by boolean mask selection, model unpacks and reuses last_valid_output with lengths from pad_packed_sequence, logits via F.linear on fc's weights."""
EXPECT = {}

# %% encode_batch
def encode_batch(sentences, vocab):
    split = [sentence.split() for sentence in sentences]
    L = max(map(len, split))
    ids = torch.tensor([[vocab[w] for w in words] + [0] * (L - len(words)) for words in split])
    lengths = torch.tensor(list(map(len, split)))
    return ids.long(), lengths.long()

# %% last_valid_output
def last_valid_output(output, lengths):
    T = output.shape[1]
    pick = torch.arange(T)[None, :] == (lengths[:, None] - 1)  # (N, T) exactly one True per row
    return output[pick]  # rows come out in batch order

# %% SentimentLSTM
class SentimentLSTM(nn.Module):
    def __init__(self, vocab_size, embed_dim, hidden_size, num_classes, proj_size=0):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.lstm = nn.LSTM(embed_dim, hidden_size, batch_first=True, proj_size=proj_size)
        self.fc = nn.Linear(proj_size or hidden_size, num_classes)

    def forward(self, ids, lengths):
        width = int(lengths.max())
        x = self.embed(ids.narrow(1, 0, width).contiguous())  # drop the all-padding columns
        packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        out, out_lengths = pad_packed_sequence(self.lstm(packed)[0], batch_first=True)
        return nn.functional.linear(last_valid_output(out, out_lengths), self.fc.weight, self.fc.bias)
