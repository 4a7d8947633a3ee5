'''Averages over every position, padding included.'''
EXPECT = {"sequence_loss": 0}
MISCONCEPTION = {"sequence_loss": "loss-pad-not-ignored"}

# %% sequence_loss
def sequence_loss(logits, targets, pad_id):
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
