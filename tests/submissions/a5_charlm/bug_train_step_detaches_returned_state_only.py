"""Bug: detaches the state it returns but not the one it is given: a caller's state still on a graph lets
gradients reach earlier batches."""
EXPECT = {"train_step": 0}

# %% train_step
def train_step(model, optimizer, x, y, state=None, clip_norm=1.0):
    logits, state = model(x, state)
    loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
    optimizer.step()
    return loss.item(), tuple(s.detach() for s in state)
