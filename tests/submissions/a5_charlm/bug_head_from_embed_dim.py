'''Bug: the head is sized from embed_dim and reads the embeddings, skipping the LSTM's output.'''
EXPECT = {"CharLSTM": 0}
MISCONCEPTION = {"CharLSTM": "head-reads-embeddings"}

# %% CharLSTM
class CharLSTM(nn.Module):
    def __init__(self, vocab_size, embed_dim, hidden_size, num_layers=1):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden_size, num_layers, batch_first=True)
        self.head = nn.Linear(embed_dim, vocab_size)

    def forward(self, x, state=None):
        e = self.embed(x)
        _, state = self.lstm(e, state)
        return self.head(e), state
