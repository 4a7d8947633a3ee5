'''Correct, written differently: helper functions (encode/decode/step), generate under
torch.set_grad_enabled(False) reading logits[:, -1, :].reshape(-1); sample_next with
F.softmax(..., dim=0) on a float32 copy and .item(); windows with torch.split and torch.stack;
CharLSTM forward that reshapes to (B*T, H) for the head. Full marks.'''
EXPECT = {}

# %% make_sequences
def make_sequences(ids, seq_len):
    M = (ids.shape[0] - 1) // seq_len
    X = torch.stack(torch.split(ids[: M * seq_len], seq_len)) if M > 0 else ids[:0].view(0, seq_len)
    Y = torch.stack(torch.split(ids[1 : M * seq_len + 1], seq_len)) if M > 0 else ids[:0].view(0, seq_len)
    return X, Y

# %% sample_next
import torch.nn.functional as F


def sample_next(logits, temperature, generator=None):
    if temperature < 0:
        raise ValueError("negative temperature")
    if temperature == 0:
        return torch.argmax(logits).item()
    probs = F.softmax(logits.to(torch.float32).div(temperature), dim=0)
    return torch.multinomial(probs, 1, generator=generator).item()

# %% CharLSTM
class CharLSTM(nn.Module):
    def __init__(self, vocab_size, embed_dim, hidden_size, num_layers=1):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(input_size=embed_dim, hidden_size=hidden_size, num_layers=num_layers, batch_first=True)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, x, state=None):
        B, T = x.shape
        out, state = self.lstm(self.embed(x), state)
        logits = self.head(out.reshape(B * T, -1)).view(B, T, -1)
        return logits, state

# %% generate
def _encode(stoi, text):
    return torch.tensor([[stoi[c] for c in text]], dtype=torch.long)


def _step(model, ids, state):
    logits, state = model(ids, state)
    return logits[:, -1, :].reshape(-1), state


def generate(model, stoi, itos, prompt, length, temperature=1.0, generator=None):
    pieces = [prompt]
    with torch.set_grad_enabled(False):
        last, state = _step(model, _encode(stoi, prompt), None)
        for _ in range(length):
            i = sample_next(last, temperature=temperature, generator=generator)
            pieces.append(itos[i])
            last, state = _step(model, torch.tensor([[i]]), state)
    return "".join(pieces)
