"""Against the text: runs the LSTM with self.lstm.forward(packed), which skips the module's hooks, so the grader
cannot count the steps that reach it (a no-packing model could hide that way). The exercise says to call
self.lstm(...); the feedback says why."""
EXPECT = {"SentimentLSTM": 0}
MISCONCEPTION = {"SentimentLSTM": "lstm-forward-bypasses-hooks"}

# %% SentimentLSTM
class SentimentLSTM(nn.Module):
    def __init__(self, vocab_size, embed_dim, hidden_size, num_classes, proj_size=0):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.lstm = nn.LSTM(embed_dim, hidden_size, batch_first=True, proj_size=proj_size)
        self.fc = nn.Linear(proj_size or hidden_size, num_classes)

    def forward(self, ids, lengths):
        packed = pack_padded_sequence(self.embed(ids), lengths.cpu(), batch_first=True, enforce_sorted=False)
        _, (h_n, _) = self.lstm.forward(packed)
        return self.fc(h_n[-1])
