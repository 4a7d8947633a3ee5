"""Bug: the padded batch goes straight into the LSTM and h_n is used: padding steps change it."""
EXPECT = {"SentimentLSTM": 0}
MISCONCEPTION = {"SentimentLSTM": "padding-enters-lstm"}

# %% SentimentLSTM
class SentimentLSTM(nn.Module):
    def __init__(self, vocab_size, embed_dim, hidden_size, num_classes, proj_size=0):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.lstm = nn.LSTM(embed_dim, hidden_size, batch_first=True, proj_size=proj_size)
        self.fc = nn.Linear(proj_size or hidden_size, num_classes)

    def forward(self, ids, lengths):
        _, (h_n, _) = self.lstm(self.embed(ids))
        return self.fc(h_n[-1])
