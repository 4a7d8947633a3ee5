'''Correct, written differently: sample_next hands torch.multinomial unnormalised weights
exp((z - max z) / tau) (multinomial normalises them itself); CharLSTM runs the LSTM one time step
at a time in a Python loop, carrying the state, and concatenates the outputs. Full marks.'''
EXPECT = {}

# %% sample_next
def sample_next(logits, temperature, generator=None):
    temperature = float(temperature)
    if temperature < 0.0:
        raise ValueError(f"temperature={temperature} < 0")
    if temperature == 0.0:
        return int(logits.argmax())
    weights = torch.exp((logits - logits.max()) / temperature)
    return int(torch.multinomial(weights, num_samples=1, generator=generator)[0])

# %% CharLSTM
class CharLSTM(nn.Module):
    def __init__(self, vocab_size, embed_dim, hidden_size, num_layers=1):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden_size, num_layers, batch_first=True)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, x, state=None):
        emb = self.embed(x)
        outputs = []
        for t in range(emb.shape[1]):
            out_t, state = self.lstm(emb[:, t : t + 1, :], state)
            outputs.append(out_t)
        out = torch.cat(outputs, dim=1)
        return self.head(out), state
