'''Bug: nn.LSTM without batch_first=True, so time and batch are swapped.'''
EXPECT = {"CharLSTM": 0}
MISCONCEPTION = {"CharLSTM": "lstm-not-batch-first"}

# %% CharLSTM
class CharLSTM(nn.Module):
    def __init__(self, vocab_size, embed_dim, hidden_size, num_layers=1):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden_size, num_layers)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, x, state=None):
        out, state = self.lstm(self.embed(x), state)
        return self.head(out), state
