'''The mean over sentences of each sentence's mean: short sentences weigh more.'''
EXPECT = {"sequence_loss": 0}
MISCONCEPTION = {"sequence_loss": "loss-mean-of-sentence-means"}

# %% sequence_loss
def sequence_loss(logits, targets, pad_id):
    nll = -F.log_softmax(logits, -1).gather(-1, targets[..., None])[..., 0]
    real = (targets != pad_id).to(logits.dtype)
    return ((nll * real).sum(1) / real.sum(1)).mean()
