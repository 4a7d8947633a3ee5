'''Sums each sentence's cross-entropy and averages over the batch (divides by B).'''
EXPECT = {"sequence_loss": 0}
MISCONCEPTION = {"sequence_loss": "loss-per-sentence-sum"}

# %% sequence_loss
def sequence_loss(logits, targets, pad_id):
    nll = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=pad_id,
                          reduction="sum")
    return nll / logits.shape[0]
