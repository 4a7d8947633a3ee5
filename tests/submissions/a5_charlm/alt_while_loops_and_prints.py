'''Correct, written differently: Counter keys, a list of windows by index arithmetic, the
temperature applied with div, a head applied with einsum, a while-loop generate that prints
progress, and a deleted visible test cell (nbgrader restores it). Full marks.'''
EXPECT = {}
DELETE = ["test_build_char_vocab"]

# %% build_char_vocab
from collections import Counter


def build_char_vocab(text):
    chars = sorted(Counter(text).keys())
    return {c: chars.index(c) for c in chars}, list(chars)

# %% make_sequences
def make_sequences(ids, seq_len):
    count = (ids.shape[0] - 1) // seq_len
    starts = torch.arange(count) * seq_len
    offsets = torch.arange(seq_len)
    index = starts[:, None] + offsets[None, :]
    return ids[index], ids[index + 1]

# %% sample_next
def sample_next(logits, temperature, generator=None):
    if temperature < 0:
        raise ValueError("temperature < 0")
    if temperature == 0:
        return int(logits.max(dim=0).indices)
    p = logits.div(temperature).softmax(dim=0)
    return int(p.multinomial(num_samples=1, generator=generator)[0])

# %% CharLSTM
class CharLSTM(nn.Module):
    def __init__(self, vocab_size, embed_dim, hidden_size, num_layers=1):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden_size, num_layers, batch_first=True)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, x, state=None):
        out, (h, c) = self.lstm(self.embed(x), state)
        logits = torch.einsum("bth,vh->btv", out, self.head.weight) + self.head.bias
        return logits, (h, c)

# %% generate
def generate(model, stoi, itos, prompt, length, temperature=1.0, generator=None):
    chars = list(prompt)
    with torch.no_grad():
        logits, state = model(torch.tensor([stoi[c] for c in prompt], dtype=torch.long).view(1, -1))
        while len(chars) < len(prompt) + length:
            nxt = sample_next(logits[0, -1], temperature, generator)
            chars.append(itos[nxt])
            print("generated", len(chars) - len(prompt), "of", length)
            if len(chars) < len(prompt) + length:
                logits, state = model(torch.tensor([[nxt]]), state)
    return "".join(chars)
