"""Bug: returns the state it was given (detached) instead of the one the model returned."""
EXPECT = {"train_step": 0}

# %% train_step
def train_step(model, optimizer, x, y, state=None, clip_norm=1.0):
    if state is not None:
        state = tuple(s.detach() for s in state)
    logits, new_state = model(x, state)
    loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
    optimizer.step()
    return loss.item(), state
