'''Bug: forward returns log-probabilities (log_softmax of the head's output) instead of logits.'''
EXPECT = {"CharLSTM": 0}
MISCONCEPTION = {"CharLSTM": "forward-returns-log-probs"}

# %% CharLSTM
class CharLSTM(nn.Module):
    def __init__(self, vocab_size, embed_dim, hidden_size, num_layers=1):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden_size, num_layers, batch_first=True)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, x, state=None):
        out, state = self.lstm(self.embed(x), state)
        return torch.log_softmax(self.head(out), dim=-1), state
