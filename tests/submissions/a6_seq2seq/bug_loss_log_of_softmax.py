'''torch.log of a softmax: a probability that underflows to 0 gives an infinite loss.'''
EXPECT = {"sequence_loss": 0}
MISCONCEPTION = {"sequence_loss": "loss-log-of-softmax"}

# %% sequence_loss
def sequence_loss(logits, targets, pad_id):
    probs = torch.softmax(logits, dim=-1)
    picked = torch.log(probs.gather(-1, targets[..., None])[..., 0])
    real = targets != pad_id
    return -picked[real].mean()
