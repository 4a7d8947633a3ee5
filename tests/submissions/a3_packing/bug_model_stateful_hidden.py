"""Bug: keeps the LSTM state between calls (old tutorials' self.hidden): the second batch starts from the first batch's final state."""
EXPECT = {"SentimentLSTM": 0}
MISCONCEPTION = {"SentimentLSTM": "state-kept-between-calls"}

# %% SentimentLSTM
class SentimentLSTM(nn.Module):
    def __init__(self, vocab_size, embed_dim, hidden_size, num_classes, proj_size=0):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.lstm = nn.LSTM(embed_dim, hidden_size, batch_first=True, proj_size=proj_size)
        self.fc = nn.Linear(proj_size or hidden_size, num_classes)
        self.hidden = None

    def forward(self, ids, lengths):
        packed = pack_padded_sequence(self.embed(ids), lengths.cpu(), batch_first=True, enforce_sorted=False)
        if self.hidden is not None and self.hidden[0].shape[1] != ids.shape[0]:
            self.hidden = None
        _, (h_n, c_n) = self.lstm(packed, self.hidden)
        self.hidden = (h_n.detach(), c_n.detach())
        return self.fc(h_n[-1])
