'''Bug: the model keeps its last state on self and reuses it when called with state=None, so a
new sequence does not start from zeros.'''
EXPECT = {"CharLSTM": 0}
MISCONCEPTION = {"CharLSTM": "state-kept-on-module"}

# %% CharLSTM
class CharLSTM(nn.Module):
    def __init__(self, vocab_size, embed_dim, hidden_size, num_layers=1):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden_size, num_layers, batch_first=True)
        self.head = nn.Linear(hidden_size, vocab_size)
        self.hidden = None

    def forward(self, x, state=None):
        if state is None:
            state = self.hidden
        out, state = self.lstm(self.embed(x), state)
        self.hidden = tuple(s.detach() for s in state)
        return self.head(out), state
