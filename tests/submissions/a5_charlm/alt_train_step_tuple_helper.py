"""Correct, written differently: a helper detaches any tuple of tensors, F.cross_entropy on flattened logits,
zero_grad(set_to_none=False), the loss read with .item() before the step, model.train() first. Full marks."""
EXPECT = {}

# %% train_step
from torch.nn import functional as F


def _detached(state):
    if state is None:
        return None
    return tuple(part.detach() for part in state)


def train_step(model, optimizer, x, y, state=None, clip_norm=1.0):
    model.train()
    logits, state = model(x, _detached(state))
    loss = F.cross_entropy(logits.flatten(end_dim=1), y.flatten())
    value = loss.item()
    optimizer.zero_grad(set_to_none=False)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=clip_norm)
    optimizer.step()
    return value, state
