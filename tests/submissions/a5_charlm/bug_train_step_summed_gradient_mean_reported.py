"""Bug: backpropagates the summed cross-entropy but reports the mean: only the parameters show it, and only
where clipping does not act (clipping rescales both gradients to the same norm)."""
EXPECT = {"train_step": 0}

# %% train_step
def train_step(model, optimizer, x, y, state=None, clip_norm=1.0):
    if state is not None:
        state = tuple(s.detach() for s in state)
    logits, state = model(x, state)
    total = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="sum")
    optimizer.zero_grad()
    total.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
    optimizer.step()
    return total.item() / y.numel(), state
