'''Every exercise right, with every parameter renamed: parameter names belong to the student
(tests pass arguments by position, by keyword only for parameters with defaults).'''
EXPECT = {}

# %% build_vocab
def build_vocab(texts):
    table = {}
    for text in texts:
        for token in text.split():
            table.setdefault(token, len(table) + 1)
    return table

# %% encode_batch
def encode_batch(texts, word_to_id):
    rows = [[word_to_id[token] for token in text.split()] for text in texts]
    seq_lens = torch.tensor([len(row) for row in rows], dtype=torch.long)
    padded = torch.zeros(len(rows), int(seq_lens.max()), dtype=torch.long)
    for i, row in enumerate(rows):
        padded[i, : len(row)] = torch.tensor(row, dtype=torch.long)
    return padded, seq_lens

# %% last_valid_output
def last_valid_output(outs, seq_lens):
    return outs[torch.arange(outs.shape[0]), seq_lens - 1]

# %% SentimentLSTM
class SentimentLSTM(nn.Module):
    def __init__(self, n_tokens, emb_size, hid_size, n_classes, proj_size=0):
        super().__init__()
        self.embed = nn.Embedding(n_tokens, emb_size, padding_idx=0)
        self.lstm = nn.LSTM(emb_size, hid_size, batch_first=True, proj_size=proj_size)
        self.fc = nn.Linear(proj_size or hid_size, n_classes)

    def forward(self, token_ids, seq_lengths):
        packed = pack_padded_sequence(self.embed(token_ids), seq_lengths.cpu(), batch_first=True,
                                      enforce_sorted=False)
        _, (h_last, _) = self.lstm(packed)
        return self.fc(h_last[-1])
