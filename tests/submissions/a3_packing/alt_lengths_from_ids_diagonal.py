"""Correct: recomputes lengths from the non-zero ids (0 is only ever padding), diagonal of a fancy index."""
EXPECT = {}

# %% last_valid_output
def last_valid_output(output, lengths):
    return output[:, lengths - 1].diagonal(dim1=0, dim2=1).T  # (N, N, H) -> (H, N) -> (N, H)

# %% SentimentLSTM
class SentimentLSTM(nn.Module):
    def __init__(self, vocab_size, embed_dim, hidden_size, num_classes, proj_size=0):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.lstm = nn.LSTM(embed_dim, hidden_size, batch_first=True, proj_size=proj_size)
        self.fc = nn.Linear(proj_size or hidden_size, num_classes)

    def forward(self, ids, lengths):
        real = (ids != 0).sum(dim=1)  # ids never use 0 for a word, so this equals lengths
        packed = pack_padded_sequence(self.embed(ids), real.cpu(), batch_first=True, enforce_sorted=False)
        _, (h_n, _) = self.lstm(packed)
        return self.fc(h_n[-1])
