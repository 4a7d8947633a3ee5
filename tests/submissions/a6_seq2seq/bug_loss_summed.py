'''Sums the cross-entropy instead of averaging it.'''
EXPECT = {"sequence_loss": 0}
MISCONCEPTION = {"sequence_loss": "loss-summed"}

# %% sequence_loss
def sequence_loss(logits, targets, pad_id):
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=pad_id,
                           reduction="sum")
