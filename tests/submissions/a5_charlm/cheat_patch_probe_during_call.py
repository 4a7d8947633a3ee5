"""Cheat: a train_step that returns the loss as a tensor and, while the probe runs it, replaces the probe's
helper that copies returned values with one that turns the tensor into a float. The probe checks its code
again after the student's code ran inside it and refuses."""
EXPECT = {"train_step": 0}

# %% train_step
import course_lib.gradient_probes as _probes


def _as_float(value):
    if isinstance(value, torch.Tensor) and value.dim() == 0:
        return float(value)
    if isinstance(value, (tuple, list)):
        return tuple(v.detach().clone() for v in value)
    return value


def train_step(model, optimizer, x, y, state=None, clip_norm=1.0):
    _probes._detached = _as_float
    if state is not None:
        state = tuple(s.detach() for s in state)
    logits, state = model(x, state)
    loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
    optimizer.step()
    return loss.detach(), state
