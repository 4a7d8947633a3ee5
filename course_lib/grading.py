"""Checkers shared by tests, book pages and the assignments' test cells.

Everything here compares, estimates or converts; nothing implements an exercise. Hidden tests use
these helpers with *independent oracles* (PyTorch modules with copied weights, central
differences), never with :mod:`course_lib`'s own reference of the exercise they grade.

Tolerances are keyword defaults here, named once, not scattered through notebooks.
"""
from __future__ import annotations

import contextlib
import os
import types
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Literal, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]

# float64 forward passes agree with PyTorch's float64 to ~1e-15; 1e-9 leaves room for
# a different order of summation (einsum, loops) while failing any real mistake.
RTOL_FLOAT64 = 1e-7
ATOL_FLOAT64 = 1e-9
# central differences with eps=1e-6 in float64 are accurate to ~1e-9 relative on the
# smooth functions of this course (truncation error ~eps**2, rounding ~1e-16/eps).
RTOL_NUMERICAL = 1e-5
ATOL_NUMERICAL = 1e-7
EPS_NUMERICAL = 1e-6


def _to_numpy(value: Any) -> np.ndarray:
    """Accept NumPy arrays, scalars, and torch tensors (detached, on the CPU)."""
    if hasattr(value, "detach") and hasattr(value, "cpu"):
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def assert_close(
    actual: Any,
    expected: Any,
    *,
    name: str = "value",
    rtol: float = RTOL_FLOAT64,
    atol: float = ATOL_FLOAT64,
) -> None:
    """Assert two arrays agree, with a message written for a student.

    The message says which quantity differs, how (shape, NaN, largest error and where)
    and gives a small excerpt of both, instead of NumPy's wall of numbers.

    >>> assert_close(np.ones(3), np.ones(3), name="h")
    >>> assert_close(np.ones(3), np.ones(4), name="h")
    Traceback (most recent call last):
    ...
    AssertionError: h: shape (3,), expected (4,)
    >>> assert_close(8.0, 0.125, name="ratio")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    AssertionError: ratio differs ... at 1 of 1 entries; ... got 8, expected 0.125 (rtol=1e-07, atol=1e-09)
    """
    a, e = _to_numpy(actual), _to_numpy(expected)
    if a.shape != e.shape:
        raise AssertionError(f"{name}: shape {a.shape}, expected {e.shape}")
    if a.dtype == object:
        raise AssertionError(f"{name}: holds Python objects, expected numbers")
    a64, e64 = a.astype(np.float64), e.astype(np.float64)
    if np.isnan(a64).any() and not np.isnan(e64).any():
        first = tuple(int(i) for i in np.argwhere(np.isnan(a64))[0])
        raise AssertionError(f"{name}: contains NaN (first at index {first})")
    close = np.isclose(a64, e64, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return
    err = np.where(close, 0.0, np.abs(a64 - e64))  # an array, also for 0-d inputs
    where = np.unravel_index(int(np.nanargmax(err)), err.shape)
    where_t = tuple(int(i) for i in where)
    raise AssertionError(
        f"{name} differs from the expected value at {int((~close).sum())} of {close.size} "
        f"entries; largest difference {float(err[where]):.3g} at index {where_t}: "
        f"got {float(a64[where]):.6g}, expected {float(e64[where]):.6g} "
        f"(rtol={rtol:g}, atol={atol:g})"
    )


def numerical_gradient(
    f: Callable[[Array], ArrayLike], x: ArrayLike, dout: ArrayLike, eps: float = EPS_NUMERICAL
) -> Array:
    r"""Central-difference estimate of :math:`\partial\, \mathrm{sum}(f(x) \odot dout) / \partial x`.

    ``f`` is called on a float64 copy of ``x``; ``x`` itself is never changed.

    Args:
        f: function of one array returning an array shaped like ``dout``.
        x: point at which to differentiate, any shape.
        dout: upstream gradient, the shape of ``f(x)``.
        eps: step; the error is :math:`O(\epsilon^2)`.

    Returns:
        Array shaped like ``x``.

    >>> float(numerical_gradient(lambda v: v ** 2, np.array(3.0), np.array(1.0)).round(6))
    6.0
    """
    x = np.array(x, dtype=np.float64, copy=True)
    dout = np.asarray(dout, dtype=np.float64)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        original = x[idx]
        x[idx] = original + eps
        plus = np.array(f(x), dtype=np.float64, copy=True)
        x[idx] = original - eps
        minus = np.array(f(x), dtype=np.float64, copy=True)
        x[idx] = original
        grad[idx] = np.sum((plus - minus) * dout) / (2.0 * eps)
    return grad


def check_gradients(
    forward: Callable[..., Any],
    inputs: dict[str, Array],
    dout: Array,
    analytic: dict[str, Any],
    *,
    output: Callable[[Any], Array] = lambda out: out,
    rtol: float = RTOL_NUMERICAL,
    atol: float = ATOL_NUMERICAL,
) -> None:
    """Compare analytic gradients with central differences, one named input at a time.

    Args:
        forward: called as ``forward(**inputs)``.
        inputs: the forward's arguments by name.
        dout: upstream gradient of the forward's output.
        analytic: gradient by input name (a subset of ``inputs``).
        output: picks the differentiated array out of ``forward``'s return value.
    """
    for name, grad in analytic.items():

        def f(value: Array, name: str = name) -> Array:
            return output(forward(**{**inputs, name: value}))

        expected = numerical_gradient(f, inputs[name], dout)
        assert_close(grad, expected, name=f"d{name} (against a numerical gradient)", rtol=rtol, atol=atol)


def assert_unchanged(function: str, passed: Mapping[str, Any], originals: Mapping[str, Any]) -> None:
    """Assert that a call of ``function`` left its arguments as they were.

    ``passed[name]`` is the array or tensor the call received, ``originals[name]`` a copy taken
    before the call; they must agree in shape, dtype and every value (NaN where NaN was).

    >>> x = np.arange(3.0)
    >>> before = {"x": x.copy()}
    >>> assert_unchanged("f", {"x": x}, before)
    >>> x[0] = 9.0  # what f(x) must not do
    >>> assert_unchanged("f", {"x": x}, before)
    Traceback (most recent call last):
    ...
    AssertionError: f changed its argument x in place
    """
    for name, original in originals.items():
        now, then = _to_numpy(passed[name]), _to_numpy(original)
        same = now.shape == then.shape and now.dtype == then.dtype
        inexact = same and np.issubdtype(now.dtype, np.inexact)
        if not (same and np.array_equal(now, then, equal_nan=inexact)):
            raise AssertionError(f"{function} changed its argument {name} in place")


@overload
def recurrent_weights(
    module: Any, *, grad: bool = False, sum_biases: Literal[True] = True
) -> tuple[Array, Array, Array]: ...


@overload
def recurrent_weights(
    module: Any, *, grad: bool = False, sum_biases: Literal[False]
) -> tuple[Array, Array, Array, Array]: ...


def recurrent_weights(module: Any, *, grad: bool = False, sum_biases: bool = True) -> tuple[Array, ...]:
    """A ``torch.nn`` recurrent layer's weights in the NumPy layout, as float64 copies.

    ``module`` is a ``torch.nn`` RNN, LSTM or GRU (layer 0) or cell (or :mod:`course_lib`'s
    cells, named alike). Returns ``(Wx (D, G·H), Wh (H, G·H), b (G·H,))`` with
    ``Wx = weight_ih.T``, ``Wh = weight_hh.T`` and ``b = bias_ih + bias_hh`` (``G`` = 1, 4 or
    3 gates), or with ``sum_biases=False`` ``(Wx, Wh, b_ih, b_hh)`` (the GRU's ``b_hn`` is
    multiplied by the reset gate, so its biases stay apart). With ``grad=True``, the same for
    the parameters' ``.grad``: the gradient of the summed ``b`` is ``bias_ih``'s (the two are
    equal).

    >>> import torch
    >>> lstm = torch.nn.LSTM(2, 3)
    >>> [w.shape for w in recurrent_weights(lstm)]
    [(2, 12), (3, 12), (12,)]
    >>> Wx, Wh, b_ih, b_hh = recurrent_weights(torch.nn.GRUCell(2, 3), sum_biases=False)
    >>> Wx.dtype, b_hh.shape
    (dtype('float64'), (9,))
    """
    suffix = "_l0" if hasattr(module, "weight_ih_l0") else ""

    def get(name: str) -> Array:
        parameter = getattr(module, name + suffix)
        value = parameter.grad if grad else parameter
        if value is None:
            raise ValueError(f"{name + suffix} has no gradient: call backward() first")
        return value.detach().double().numpy().copy()

    Wx, Wh, b_ih, b_hh = (get(name) for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))
    if not sum_biases:
        return Wx.T.copy(), Wh.T.copy(), b_ih, b_hh
    return Wx.T.copy(), Wh.T.copy(), b_ih if grad else b_ih + b_hh


def in_autograder() -> bool:
    """True while nbgrader is executing the notebook (autograde or validate).

    Notebooks use it to skip long demonstrations that grading does not need.
    """
    return os.environ.get("NBGRADER_EXECUTION") in {"autograde", "validate"}


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError(
        "this exercise must be your own code: it called course_lib's reference solution"
    )


@contextlib.contextmanager
def reference_blocked(*functions: Callable[..., Any]) -> Iterator[None]:
    """Make course_lib's reference functions raise while the block runs.

    The function objects themselves are changed (their ``__code__``), so a student's
    ``from course_lib... import f as g`` and any wrapper around it fail too. Hidden tests
    wrap their checks in this so that re-exporting the reference earns nothing.

    >>> def double(v): return 2 * v
    >>> with reference_blocked(double):
    ...     double(1)
    Traceback (most recent call last):
    ...
    AssertionError: this exercise must be your own code: it called course_lib's reference solution
    >>> double(1)
    2
    """
    saved: list[tuple[types.FunctionType, types.CodeType]] = []
    try:
        for fn in functions:
            if not isinstance(fn, types.FunctionType) or fn.__code__.co_freevars:
                raise TypeError(f"cannot block {fn!r}: only plain module-level functions")
            saved.append((fn, fn.__code__))
            fn.__code__ = _refuse.__code__
        yield
    finally:
        for fn, code in saved:
            fn.__code__ = code
