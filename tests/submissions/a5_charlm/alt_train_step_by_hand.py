"""Correct, written differently: h and c detached by name, log_softmax and gather, clipping by hand
(without the 1e-6), the new state returned detached. Full marks."""
EXPECT = {}

# %% train_step
def train_step(model, optimizer, x, y, state=None, clip_norm=1.0):
    if state is not None:
        h, c = state
        state = (h.detach(), c.detach())
    logits, (h, c) = model(x, state)
    log_probs = torch.log_softmax(logits, dim=-1)
    loss = -log_probs.gather(-1, y.unsqueeze(-1)).mean()
    for p in model.parameters():
        p.grad = None
    loss.backward()
    grads = [p.grad for p in model.parameters() if p.grad is not None]
    total = torch.sqrt(sum((g**2).sum() for g in grads))
    if total > clip_norm:
        for g in grads:
            g.mul_(clip_norm / total)
    optimizer.step()
    return loss.detach().item(), (h.detach(), c.detach())
