"""Bug: classifies from the cell state c_n instead of h_n (fc sized by hand for it, so it runs)."""
EXPECT = {"SentimentLSTM": 0}
MISCONCEPTION = {"SentimentLSTM": "classifies-from-c-n"}

# %% SentimentLSTM
class SentimentLSTM(nn.Module):
    def __init__(self, vocab_size, embed_dim, hidden_size, num_classes, proj_size=0):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.lstm = nn.LSTM(embed_dim, hidden_size, batch_first=True, proj_size=proj_size)
        self.fc = nn.Linear(proj_size or hidden_size, num_classes)
        self.to_classes = nn.Linear(hidden_size, num_classes)

    def forward(self, ids, lengths):
        packed = pack_padded_sequence(self.embed(ids), lengths.cpu(), batch_first=True, enforce_sorted=False)
        _, (_, c_n) = self.lstm(packed)
        if self.lstm.proj_size:
            return self.to_classes(c_n[-1])
        return self.fc(c_n[-1])
