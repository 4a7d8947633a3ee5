"""Cheat: a detached answer, and torch.autograd.grad replaced by one that returns the expected mask.

torch.autograd.grad is one of the functions the judge's probe watches, so the probe refuses."""
EXPECT = {"last_valid_output": 0, "SentimentLSTM": 0}  # a tampered probe refuses every gradient check

# %% last_valid_output
import torch.autograd

_real_grad = torch.autograd.grad


def last_valid_output(output, lengths):
    return output.detach()[torch.arange(output.shape[0]), lengths - 1]


def _fake_grad(outputs, inputs, grad_outputs=None, **kwargs):
    return tuple(torch.zeros_like(x) for x in inputs)


torch.autograd.grad = _fake_grad
