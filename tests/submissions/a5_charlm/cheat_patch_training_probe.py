"""Cheat: a train_step that never clips, plus a fake training_steps probe that trains with an honest step
instead. The judge's probe is loaded before the first student cell and refuses to run once the notebook
replaced it, so the check fails (in a plain kernel the fake would be imported)."""
EXPECT = {"train_step": 0}

# %% train_step
import course_lib.gradient_probes as _probes

_real_training_steps = _probes.training_steps


def train_step(model, optimizer, x, y, state=None, clip_norm=1.0):
    if state is not None:
        state = tuple(s.detach() for s in state)
    logits, state = model(x, state)
    loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item(), state


def _honest(model, optimizer, x, y, state=None, clip_norm=1.0):
    if state is not None:
        state = tuple(s.detach() for s in state)
    logits, state = model(x, state)
    loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
    optimizer.step()
    return loss.item(), state


def _fake_training_steps(step, *args, **kwargs):
    return _real_training_steps(_honest, *args, **kwargs)


_probes.training_steps = _fake_training_steps
