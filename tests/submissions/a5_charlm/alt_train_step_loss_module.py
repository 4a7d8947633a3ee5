"""Correct, written differently: nn.CrossEntropyLoss on (B, V, T) logits, model.zero_grad(), the state
detached as a list and passed by keyword, float(loss), model.eval() (no dropout here). Full marks."""
EXPECT = {}

# %% train_step
def train_step(model, optimizer, x, y, state=None, clip_norm=1.0):
    model.eval()
    if state is not None:
        state = [s.detach() for s in state]
    logits, new_state = model(x, state=state)
    loss = nn.CrossEntropyLoss()(logits.permute(0, 2, 1), y)
    model.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(list(model.parameters()), clip_norm)
    optimizer.step()
    return float(loss), new_state
