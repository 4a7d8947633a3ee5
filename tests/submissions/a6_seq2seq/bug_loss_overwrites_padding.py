'''Replaces the padding ids with 0 in the caller's targets tensor (in place) before the loss.'''
EXPECT = {"sequence_loss": 0}
MISCONCEPTION = {"sequence_loss": "changed-argument-in-place"}

# %% sequence_loss
def sequence_loss(logits, targets, pad_id):
    real = targets != pad_id
    targets[~real] = 0
    nll = -F.log_softmax(logits, -1).gather(-1, targets[..., None])[..., 0]
    return nll[real].mean()
