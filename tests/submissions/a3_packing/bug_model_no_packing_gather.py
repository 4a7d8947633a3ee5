"""Bug: no packing — padding enters the LSTM (right answer only because the LSTM reads left to right)."""
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
        out, _ = self.lstm(self.embed(ids))  # (N, T, F): padding steps computed too
        return self.fc(out[torch.arange(ids.shape[0]), lengths - 1])
