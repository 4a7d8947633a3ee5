'''Takes the log-softmax over the time axis (dim=1) instead of the vocabulary.'''
EXPECT = {"sequence_loss": 0}
MISCONCEPTION = {"sequence_loss": "loss-log-softmax-wrong-axis"}

# %% sequence_loss
def sequence_loss(logits, targets, pad_id):
    log_probs = F.log_softmax(logits, dim=1)
    real = targets != pad_id
    picked = log_probs.gather(-1, targets[..., None])[..., 0]
    return -picked[real].mean()
