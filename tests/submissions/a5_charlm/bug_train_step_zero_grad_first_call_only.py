"""Bug: zeroes the gradients only when no state comes in (the first chunk of a pass)."""
EXPECT = {"train_step": 0}

# %% train_step
def train_step(model, optimizer, x, y, state=None, clip_norm=1.0):
    if state is None:
        optimizer.zero_grad()
    else:
        state = tuple(s.detach() for s in state)
    logits, state = model(x, state)
    loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
    optimizer.step()
    return loss.item(), state
