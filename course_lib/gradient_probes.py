"""Gradients and training steps of a student's code, returned as plain tensors for a test to compare.

A hidden test that wants to know whether a student's code is differentiable ("no ``.detach()``,
no NumPy round trip") and computes the right gradient could call ``.backward()`` itself. Under
``course grade`` that is impossible: the student's code runs in a sandboxed worker and the test
in the judge (``docs/grading.md``), and an autograd graph does not cross processes. These
probes run the backward pass *where the student's code lives* and hand back only data:

    output, (d_out,) = input_gradients(last_valid_output, (out, lengths), wrt=(0,))
    logits, grads = parameter_gradients(model, (ids, lengths))   # grads["embed.weight"], ...
    losses, states, params = training_steps(train_step, weights, {"name": "SGD", "lr": 0.5}, batches)

The test then compares those values with its own oracle (PyTorch modules with copied weights,
training steps written out by hand), so a wrong gradient fails whoever computed it. In a
notebook kernel (Validate, a student's own run) the probes just run here. Under ``course grade``
a probe called on a student's object runs in the worker, imported before the first student cell
(its code, and the code it calls, is checked before each use: :func:`watched`).

``input_gradients`` and ``parameter_gradients`` compute vector-Jacobian products: with
``grad_output`` ``g`` (ones when omitted) the gradient of ``sum(g * output)`` with respect to
each input or parameter, or ``None`` where no gradient reaches it. ``training_steps`` lets a
student's ``train_step`` train a fresh model, built here from ``torch.nn`` parts, and reports
what each step returned and the parameters after it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch import nn

PROBES = ("input_gradients", "parameter_gradients", "training_steps")
OPTIMIZERS = ("SGD", "Adam")  # the torch.optim classes training_steps may build


def _elsewhere(target: Any) -> Callable[..., Any] | None:
    """The grader's forwarding hook when ``target`` is a proxy for an object in another
    process (``course grade``'s judge), else ``None``. Read from the proxy's own class, so a
    student object cannot pretend to have one."""
    return getattr(type(target), "__course_probe__", None)


def _vjp(output: Any, leaves: list[Any], grad_output: Any) -> list[Any]:
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
    trainable = [(name, p) for name, p in module.named_parameters() if p.requires_grad]
    with torch.enable_grad():
        output = module(*inputs)
        grads = _vjp(output, [p for _, p in trainable], grad_output)
    by_name = {name: g for (name, _), g in zip(trainable, grads, strict=True)}
    return torch.Tensor.detach(output), {name: by_name.get(name) for name, _ in module.named_parameters()}


class ProbeCharModel(nn.Module):
    """The model :func:`training_steps` trains: ``embed`` (``nn.Embedding``) → ``lstm``
    (``nn.LSTM``, batch first) → ``head`` (``nn.Linear``), the layout of a character language
    model, built from ``torch.nn`` parts with the weights ``weights`` (a ``state_dict`` of that
    layout; the sizes, the number of layers and the dtype are read from it).

    ``forward(x, state)`` maps ids ``x`` (B, T) and ``(h, c)`` (or ``None``) to logits (B, T, V)
    and the new state; the state may come by position or under any keyword name.
    """

    def __init__(self, weights: dict[str, Any]) -> None:
        super().__init__()
        V, E = weights["embed.weight"].shape
        H = weights["lstm.weight_hh_l0"].shape[1]
        layers = sum(name.startswith("lstm.weight_ih_l") for name in weights)
        self.embed = nn.Embedding(V, E)
        self.lstm = nn.LSTM(E, H, layers, batch_first=True)
        self.head = nn.Linear(H, V)
        self.to(weights["head.weight"].dtype)
        self.load_state_dict(weights)

    def forward(self, x: Any, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
        rest = [*args, *kwargs.values()]
        if len(rest) > 1:
            raise TypeError(f"the model takes x and one state, got {len(rest) + 1} arguments")
        out, state = self.lstm(self.embed(x), rest[0] if rest else None)  # out (B, T, H)
        return self.head(out), state


def _detached(value: Any) -> Any:
    """A returned value as data: tensors detached and copied, a tuple or list of them as a tuple."""
    if isinstance(value, torch.Tensor):
        return torch.Tensor.detach(value).clone()
    if isinstance(value, (tuple, list)):
        return tuple(_detached(v) for v in value)
    return value


def _optimizer(model: nn.Module, spec: dict[str, Any]) -> Any:
    options = dict(spec)
    name = options.pop("name")
    if name not in OPTIMIZERS:
        raise ValueError(f"training_steps builds one of {OPTIMIZERS}, not {name!r}")
    return getattr(torch.optim, name)(model.parameters(), **options)


def training_steps(
    train_step: Callable[..., Any],
    weights: dict[str, Any],
    optimizer: dict[str, Any],
    batches: Sequence[tuple[Any, Any]],
    keywords: dict[str, Any] | None = None,
    warmup: Any = None,
) -> tuple[list[Any], list[Any], list[dict[str, Any]]]:
    """Let ``train_step`` train a fresh :class:`ProbeCharModel` on ``batches``, one call per
    batch, each call given the state the previous one returned:

        loss, state = train_step(model, optimizer, x, y, state=state, **keywords)

    The first call gets no ``state`` argument (its default, ``None``), unless ``warmup`` ids
    (B, T0) are given: then the model first reads them, the sum of their logits is
    backpropagated with the graph kept, and the first call gets the state they leave, still
    attached to that graph, and parameters holding those stale gradients (a correct step
    detaches the one and zeroes the other).

    Args:
        weights: the model's ``state_dict`` (see :class:`ProbeCharModel`).
        optimizer: ``{"name": "SGD", "lr": 0.5, ...}``, a class in :data:`OPTIMIZERS` and its
            keyword arguments.
        batches: ``(x, y)`` pairs, each (B, T) ids; ``train_step`` gets copies.
        keywords: more keyword arguments for every call (``{"clip_norm": 0.5}``).

    Returns:
        ``losses`` (each call's loss as returned; a tensor detached), ``states`` (each returned
        state, its tensors detached) and ``parameters`` (``{name: tensor}`` after each call).

    >>> import torch
    >>> lm = ProbeCharModel({"embed.weight": torch.zeros(3, 2), **{f"lstm.{n}_l0": torch.zeros(s)
    ...     for n, s in [("weight_ih", (8, 2)), ("weight_hh", (8, 2)), ("bias_ih", 8), ("bias_hh", 8)]},
    ...     "head.weight": torch.zeros(3, 2), "head.bias": torch.zeros(3)})
    >>> def step(model, optimizer, x, y, state=None):
    ...     return 1.5, model(x, state)[1]
    >>> losses, states, params = training_steps(step, lm.state_dict(), {"name": "SGD", "lr": 0.1},
    ...                                         [(torch.zeros(1, 4, dtype=torch.long),) * 2] * 2)
    >>> losses, [tuple(s.shape) for s in states[1]], sorted(params[0])[:2]
    ([1.5, 1.5], [(1, 1, 2), (1, 1, 2)], ['embed.weight', 'head.bias'])
    """
    forward = _elsewhere(train_step)
    if forward is not None:
        return forward(train_step, "training_steps", weights, optimizer, list(batches), keywords, warmup)
    model = ProbeCharModel(weights)
    opt = _optimizer(model, optimizer)
    losses: list[Any] = []
    states: list[Any] = []
    parameters: list[dict[str, Any]] = []
    with torch.enable_grad():
        carried: dict[str, Any] = {}  # the state keyword of the next call; none for the first
        if warmup is not None:
            logits, carried["state"] = model(torch.Tensor.clone(warmup))
            torch.Tensor.backward(logits.sum(), retain_graph=True)
        for x, y in batches:
            x, y = torch.Tensor.clone(x), torch.Tensor.clone(y)
            loss, returned = train_step(model, opt, x, y, **carried, **dict(keywords or {}))
            carried = {"state": returned}
            losses.append(_detached(loss))
            states.append(_detached(returned))
            parameters.append({name: torch.Tensor.detach(p).clone() for name, p in model.named_parameters()})
    return losses, states, parameters


def watched() -> list[tuple[Any, str]]:
    """``(owner, attribute)`` of everything the probes call: the grader's worker remembers each
    object (and its ``__code__``) before the first student cell, and a probe refuses to run
    once one was replaced."""
    this = sys.modules[__name__]
    helpers = ("_vjp", "_elsewhere", "_detached", "_optimizer", "ProbeCharModel")
    names: list[tuple[Any, str]] = [(this, n) for n in (*PROBES, *helpers)]
    names += [(ProbeCharModel, "__init__"), (ProbeCharModel, "forward")]
    names += [(torch.autograd, "grad"), (torch, "ones_like"), (torch, "enable_grad"), (torch, "optim")]
    names += [(torch.Tensor, n) for n in ("detach", "clone", "requires_grad_", "to", "backward", "sum")]
    names += [(nn.Module, n) for n in ("__call__", "to", "load_state_dict", "named_parameters", "parameters")]
    for layer in (nn.Embedding, nn.LSTM, nn.Linear):
        names += [(nn, layer.__name__), (layer, "__init__"), (layer, "forward")]
    for name in OPTIMIZERS:
        names += [(torch.optim, name), (getattr(torch.optim, name), "__init__")]
    return names
