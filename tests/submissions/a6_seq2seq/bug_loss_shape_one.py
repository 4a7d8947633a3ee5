'''Returns the loss with shape (1,) instead of a scalar (0-dimensional) tensor.'''
EXPECT = {"sequence_loss": 0}
MISCONCEPTION = {"sequence_loss": "loss-not-scalar"}

# %% sequence_loss
def sequence_loss(logits, targets, pad_id):
    real = targets != pad_id
    nll = -F.log_softmax(logits, -1).gather(-1, targets[..., None])[..., 0]
    return nll[real].mean().reshape(1)
