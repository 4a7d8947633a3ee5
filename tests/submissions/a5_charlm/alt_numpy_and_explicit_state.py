'''Correct, written differently: vocabulary via a set comprehension, windows via unfold,
softmax via log_softmax().exp(), explicit zero initial state in forward, and a generate
that keeps the ids in a list and detaches the state. Full marks.'''
EXPECT = {}

# %% build_char_vocab
def build_char_vocab(text):
    itos = sorted({c for c in text})
    return {c: i for i, c in enumerate(itos)}, itos

# %% make_sequences
def make_sequences(ids, seq_len):
    n = (ids.numel() - 1) // seq_len
    windows = ids[: n * seq_len + 1].unfold(0, seq_len + 1, seq_len)  # (n, seq_len + 1), overlapping by one
    return windows[:, :-1].contiguous(), windows[:, 1:].contiguous()

# %% sample_next
def sample_next(logits, temperature, generator=None):
    if temperature < 0:
        raise ValueError(f"bad temperature {temperature}")
    elif temperature == 0.0:
        return int(logits.argmax(dim=-1))
    probs = torch.log_softmax(logits.float() / float(temperature), dim=-1).exp()
    (idx,) = torch.multinomial(probs, 1, False, generator=generator).tolist()
    return idx

# %% CharLSTM
class CharLSTM(nn.Module):
    def __init__(self, vocab_size, embed_dim, hidden_size, num_layers=1):
        super().__init__()
        self.num_layers, self.hidden_size = num_layers, hidden_size
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden_size, num_layers=num_layers, batch_first=True)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, x, state=None):
        if state is None:
            zeros = torch.zeros(self.num_layers, x.shape[0], self.hidden_size)
            state = (zeros, zeros.clone())
        out, new_state = self.lstm(self.embed(x), state)
        return self.head(out), new_state

# %% generate
def generate(model, stoi, itos, prompt, length, temperature=1.0, generator=None):
    ids = [stoi[c] for c in prompt]
    with torch.no_grad():
        logits, state = model(torch.LongTensor([ids]))
        for step in range(length):
            ids.append(sample_next(logits[:, -1].squeeze(0), temperature, generator))
            if step == length - 1:
                break
            state = tuple(s.detach() for s in state)
            logits, state = model(torch.LongTensor([[ids[-1]]]), state)
    return "".join(itos[i] for i in ids)
