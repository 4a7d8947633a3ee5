"""Gradients of a student's function or model, returned as plain tensors for a test to compare.

A hidden test that wants to know whether a student's code is differentiable ("no ``.detach()``,
no NumPy round trip") and computes the right gradient could call ``.backward()`` itself. Under
``course grade`` that is impossible: the student's code runs in a sandboxed worker and the test
in the judge (``docs/grading.md``), and an autograd graph does not cross processes. These two
probes run the backward pass *where the student's code lives* and hand back only data:

    output, (d_out,) = input_gradients(last_valid_output, (out, lengths), wrt=(0,))
    logits, grads = parameter_gradients(model, (ids, lengths))   # grads["embed.weight"], ...

The test then compares those values with its own oracle (PyTorch modules with copied weights),
so a wrong gradient fails whoever computed it. In a notebook kernel (Validate, a student's own
run) both just run here. Under ``course grade`` a probe called on a student's object runs in
the worker, imported before the first student cell (its code is checked before each use).

Both compute vector-Jacobian products: with ``grad_output`` ``g`` (ones when omitted) the
gradient of ``sum(g * output)`` with respect to each input or parameter, or ``None`` where no
gradient reaches it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

PROBES = ("input_gradients", "parameter_gradients")


def _elsewhere(target: Any) -> Callable[..., Any] | None:
    """The grader's forwarding hook when ``target`` is a proxy for an object in another
    process (``course grade``'s judge), else ``None``. Read from the proxy's own class, so a
    student object cannot pretend to have one."""
    return getattr(type(target), "__course_probe__", None)


def _vjp(output: Any, leaves: list[Any], grad_output: Any) -> list[Any]:
    import torch

    if not isinstance(output, torch.Tensor):
        raise TypeError(f"the probed call should return a tensor, got {type(output).__name__}")
    if grad_output is None:
        grad_output = torch.ones_like(output)
    if not output.requires_grad or not leaves:
        return [None] * len(leaves)
    grads = torch.autograd.grad(output, leaves, grad_outputs=grad_output.to(output.dtype), allow_unused=True)
    return [None if g is None else g.detach().clone() for g in grads]


def input_gradients(
    fn: Callable[..., Any], inputs: Sequence[Any], wrt: Sequence[int], grad_output: Any = None
) -> tuple[Any, list[Any]]:
    """``fn(*inputs)`` and the gradient of ``sum(grad_output * fn(*inputs))`` with respect to
    each ``inputs[i]`` for ``i`` in ``wrt`` (``None`` where the output does not depend on it
    through autograd). The caller's tensors are not touched: copies are differentiated.

    >>> import torch
    >>> out, (dx,) = input_gradients(lambda x: 3 * x, (torch.ones(2, dtype=torch.float64),), wrt=(0,))
    >>> dx.tolist()
    [3.0, 3.0]
    >>> input_gradients(lambda x: (3 * x).detach(), (torch.ones(2),), wrt=(0,))[1]
    [None]
    """
    forward = _elsewhere(fn)
    if forward is not None:
        return forward(fn, "input_gradients", list(inputs), list(wrt), grad_output)
    import torch

    args = list(inputs)
    for i in wrt:
        args[i] = torch.Tensor.detach(args[i]).clone().requires_grad_(True)
    with torch.enable_grad():
        output = fn(*args)
        grads = _vjp(output, [args[i] for i in wrt], grad_output)
    return torch.Tensor.detach(output), grads


def parameter_gradients(
    module: Any, inputs: Sequence[Any], grad_output: Any = None
) -> tuple[Any, dict[str, Any]]:
    """``module(*inputs)`` and the gradient of ``sum(grad_output * output)`` with respect to each
    of ``module.named_parameters()`` (``None`` where none reaches it). The parameters' ``.grad``
    fields are left as they were.

    >>> import torch
    >>> layer = torch.nn.Linear(2, 1)
    >>> _, grads = parameter_gradients(layer, (torch.tensor([[1.0, 2.0]]),))
    >>> grads["weight"].tolist(), grads["bias"].tolist()
    ([[1.0, 2.0]], [1.0])
    """
    forward = _elsewhere(module)
    if forward is not None:
        return forward(module, "parameter_gradients", list(inputs), grad_output)
    import torch

    trainable = [(name, p) for name, p in module.named_parameters() if p.requires_grad]
    with torch.enable_grad():
        output = module(*inputs)
        grads = _vjp(output, [p for _, p in trainable], grad_output)
    by_name = {name: g for (name, _), g in zip(trainable, grads, strict=True)}
    return torch.Tensor.detach(output), {name: by_name.get(name) for name, _ in module.named_parameters()}
