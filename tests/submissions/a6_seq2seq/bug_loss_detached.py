'''Returns the right number as a new tensor: no gradient reaches the logits.'''
EXPECT = {"sequence_loss": 0}
MISCONCEPTION = {"sequence_loss": "loss-detached"}

# %% sequence_loss
def sequence_loss(logits, targets, pad_id):
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=pad_id)
    return torch.tensor(loss.item(), dtype=logits.dtype)
