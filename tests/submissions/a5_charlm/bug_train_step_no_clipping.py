"""Bug: never clips the gradient."""
EXPECT = {"train_step": 0}

# %% train_step
def train_step(model, optimizer, x, y, state=None, clip_norm=1.0):
    if state is not None:
        state = tuple(s.detach() for s in state)
    logits, state = model(x, state)
    loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item(), state
