'''Correct, written defensively: type and shape checks everywhere, an explicit zero initial state
built from the lent model's lstm.num_layers / lstm.hidden_size, a generator created by the caller
only, debug prints, argmax by Python max, and ids coerced with torch.as_tensor. Full marks.'''
EXPECT = {}

# %% build_char_vocab
def build_char_vocab(text):
    if not isinstance(text, str):
        raise TypeError("text must be a str")
    itos = list(sorted(frozenset(text)))
    stoi = dict(map(reversed, enumerate(itos)))
    assert all(stoi[c] == i for i, c in enumerate(itos))
    return stoi, itos

# %% make_sequences
def make_sequences(ids, seq_len):
    ids = torch.as_tensor(ids, dtype=torch.long)
    assert ids.dim() == 1 and seq_len >= 1
    M = (ids.numel() - 1) // seq_len
    print(f"make_sequences: {M} windows of {seq_len}")
    X = torch.stack([ids[m * seq_len:(m + 1) * seq_len] for m in range(M)]) if M else ids.new_empty(0, seq_len)
    Y = torch.stack([ids[m * seq_len + 1:(m + 1) * seq_len + 1] for m in range(M)]) if M else ids.new_empty(0, seq_len)
    return X, Y

# %% sample_next
def sample_next(logits, temperature, generator=None):
    if not isinstance(temperature, (int, float)):
        raise TypeError("temperature must be a number")
    if temperature < 0:
        raise ValueError("temperature must be >= 0")
    logits = torch.as_tensor(logits).reshape(-1)
    if temperature == 0:
        values = logits.tolist()
        return max(range(len(values)), key=values.__getitem__)  # the first maximum, as torch.argmax
    probs = torch.softmax(logits / temperature, dim=0)
    assert torch.isfinite(probs).all(), "non-finite probabilities"
    return torch.multinomial(probs.unsqueeze(0), 1, generator=generator)[0, 0].item()

# %% CharLSTM
class CharLSTM(nn.Module):
    def __init__(self, vocab_size, embed_dim, hidden_size, num_layers=1):
        super().__init__()
        self.vocab_size, self.embed_dim, self.hidden_size, self.num_layers = vocab_size, embed_dim, hidden_size, num_layers
        self.head = nn.Linear(hidden_size, vocab_size)          # created first: order does not matter
        self.lstm = nn.LSTM(embed_dim, hidden_size, num_layers, batch_first=True)
        self.embed = nn.Embedding(vocab_size, embed_dim)

    def forward(self, x, state=None):
        if x.dim() != 2:
            raise ValueError(f"x should be (B, T), got {tuple(x.shape)}")
        x = x.long()
        if state is None:
            h0 = x.new_zeros(self.num_layers, x.shape[0], self.hidden_size, dtype=torch.float32)
            state = (h0, h0.clone())
        out, (h, c) = self.lstm(self.embed(x), (state[0], state[1]))
        return self.head(out.contiguous()), (h, c)

# %% generate
def generate(model, stoi, itos, prompt, length, temperature=1.0, generator=None):
    if length < 0:
        raise ValueError("length must be >= 0")
    unknown = [c for c in prompt if c not in stoi]
    if unknown:
        raise KeyError(f"characters not in the vocabulary: {unknown}")
    layers, hidden = model.lstm.num_layers, model.lstm.hidden_size
    state = (torch.zeros(layers, 1, hidden), torch.zeros(layers, 1, hidden))
    text = prompt
    with torch.no_grad():
        logits, state = model(torch.tensor([[stoi[c] for c in prompt]]), state)
        for step in range(length):
            nxt = sample_next(logits[0, -1], temperature, generator)
            print("step", step, "->", repr(itos[nxt]))
            text = text + itos[nxt]
            if step + 1 == length:
                break
            logits, state = model(torch.tensor([[nxt]]), state)
    return text
