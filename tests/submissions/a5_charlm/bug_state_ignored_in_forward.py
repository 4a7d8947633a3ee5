'''Bug: forward ignores the state argument (every call starts from zeros).'''
EXPECT = {"CharLSTM": 0}
MISCONCEPTION = {"CharLSTM": "state-ignored"}

# %% CharLSTM
class CharLSTM(nn.Module):
    def __init__(self, vocab_size, embed_dim, hidden_size, num_layers=1):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden_size, num_layers, batch_first=True)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, x, state=None):
        out, state = self.lstm(self.embed(x))
        return self.head(out), state
