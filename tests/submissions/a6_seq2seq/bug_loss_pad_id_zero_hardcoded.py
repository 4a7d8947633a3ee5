'''Ignores id 0 whatever pad_id says.'''
EXPECT = {"sequence_loss": 0}
MISCONCEPTION = {"sequence_loss": "loss-pad-id-hardcoded"}

# %% sequence_loss
def sequence_loss(logits, targets, pad_id):
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=0)
