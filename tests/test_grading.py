"""course_lib.grading: the checkers must fail when they should and say what differs."""
from __future__ import annotations

import os

import numpy as np
import pytest
import torch

from course_lib import grading
from course_lib.grading import assert_close, check_gradients, numerical_gradient, reference_blocked


def test_assert_close_accepts_equal_and_torch():
    assert_close(torch.ones(2, dtype=torch.float64), np.ones(2))


@pytest.mark.parametrize(
    "actual, expected, message",
    [
        (np.ones(3), np.ones(4), "shape (3,), expected (4,)"),
        (np.array([1.0, np.nan]), np.array([1.0, 2.0]), "contains NaN (first at index (1,))"),
        (np.array([1.0, 2.5]), np.array([1.0, 2.0]), "largest difference 0.5 at index (1,): got 2.5, expected 2"),
    ],
)
def test_assert_close_messages(actual, expected, message):
    with pytest.raises(AssertionError) as info:
        assert_close(actual, expected, name="h")
    assert message in str(info.value)
    assert str(info.value).startswith("h")


def test_assert_close_tolerance_is_tight_enough_to_catch_small_mistakes():
    with pytest.raises(AssertionError):
        assert_close(np.array([1.0]), np.array([1.0 + 1e-6]))


def test_numerical_gradient_of_known_function_and_input_untouched(rng):
    x = rng.normal(size=(3, 2))
    before = x.copy()
    dout = rng.normal(size=(3, 2))
    grad = numerical_gradient(np.sin, x, dout)
    assert_close(grad, np.cos(before) * dout, rtol=1e-8, atol=1e-10)
    assert np.array_equal(x, before)


def test_check_gradients_catches_a_wrong_gradient(rng):
    x = rng.normal(size=4)
    dout = rng.normal(size=4)
    check_gradients(lambda x: x**3, {"x": x}, dout, {"x": 3 * x**2 * dout})
    with pytest.raises(AssertionError, match="dx"):
        check_gradients(lambda x: x**3, {"x": x}, dout, {"x": 2 * x * dout})


def _double(v):
    return 2 * v


def test_reference_blocked_blocks_aliases_and_restores():
    alias = _double
    with reference_blocked(_double):
        with pytest.raises(AssertionError, match="your own code"):
            alias(1)
    assert _double(2) == 4


def test_reference_blocked_restores_after_an_exception():
    with pytest.raises(RuntimeError):
        with reference_blocked(_double):
            raise RuntimeError("boom")
    assert _double(3) == 6


def test_reference_blocked_rejects_closures():
    def outer():
        y = 1

        def inner():
            return y

        return inner

    with pytest.raises(TypeError, match="cannot block"):
        with reference_blocked(outer()):
            pass


def test_in_autograder(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    assert not grading.in_autograder()
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert grading.in_autograder()
    assert os.environ["NBGRADER_EXECUTION"] == "autograde"
