"""Correct, with every parameter renamed that the contract passes by position (the ones with
defaults, passed by keyword, keep their names); generate calls its own sample_next by its own
keyword names, and train_step calls the model with the state by keyword. Full marks."""
EXPECT = {}

# %% build_char_vocab
def build_char_vocab(corpus):
    chars = sorted(set(corpus))
    return {ch: k for k, ch in enumerate(chars)}, chars

# %% make_sequences
def make_sequences(token_ids, window):
    count = (len(token_ids) - 1) // window
    inputs = token_ids[: count * window].view(count, window)
    targets = token_ids[1 : count * window + 1].view(count, window)
    return inputs, targets

# %% sample_next
def sample_next(scores, tau, generator=None):
    if tau < 0:
        raise ValueError("tau must not be negative")
    if tau == 0:
        return int(scores.argmax())
    return int(torch.multinomial(torch.softmax(scores / tau, dim=-1), 1, generator=generator))

# %% CharLSTM
class CharLSTM(nn.Module):
    def __init__(self, n_chars, emb_size, n_hidden, num_layers=1):
        super().__init__()
        self.embed = nn.Embedding(n_chars, emb_size)
        self.lstm = nn.LSTM(emb_size, n_hidden, num_layers, batch_first=True)
        self.head = nn.Linear(n_hidden, n_chars)

    def forward(self, ids, state=None):
        seq, state = self.lstm(self.embed(ids), state)
        return self.head(seq), state

# %% generate
def generate(net, char_to_id, id_to_char, start, n_new, temperature=1.0, generator=None):
    text = start
    with torch.no_grad():
        scores, hidden = net(torch.tensor([[char_to_id[ch] for ch in start]]))
        for k in range(n_new):
            nxt = sample_next(scores=scores[0, -1], tau=temperature, generator=generator)
            text += id_to_char[nxt]
            if k + 1 < n_new:
                scores, hidden = net(torch.tensor([[nxt]]), hidden)
    return text

# %% train_step
def train_step(net, opt, inputs, targets, state=None, clip_norm=1.0):
    if state is not None:
        state = (state[0].detach(), state[1].detach())
    scores, state = net(inputs, state=state)
    loss = nn.functional.cross_entropy(scores.flatten(0, 1), targets.flatten())
    opt.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(net.parameters(), clip_norm)
    opt.step()
    return loss.item(), state
