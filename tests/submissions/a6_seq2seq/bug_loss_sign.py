'''Returns the mean log-probability of the targets, without the minus sign.'''
EXPECT = {"sequence_loss": 0}
MISCONCEPTION = {"sequence_loss": "loss-sign"}

# %% sequence_loss
def sequence_loss(logits, targets, pad_id):
    real = targets != pad_id
    picked = F.log_softmax(logits, dim=-1).gather(-1, targets[..., None])[..., 0]
    return picked[real].mean()
