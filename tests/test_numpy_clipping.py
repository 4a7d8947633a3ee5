"""course_lib.numpy_nn.clipping against torch.nn.utils.clip_grad_norm_."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.grading import assert_close
from course_lib.numpy_nn.clipping import CLIP_EPS, clip_by_global_norm, global_norm

# Both sides compute the same float64 sums in a different order: ~1e-16 relative apart.
RTOL_SAME_MATH = 1e-12


def torch_clip(grads: list[np.ndarray], max_norm: float) -> tuple[list[np.ndarray], float]:
    """Oracle: clip_grad_norm_ on float64 parameters whose .grad are copies of ``grads``."""
    params = [torch.zeros(np.shape(g), dtype=torch.float64, requires_grad=True) for g in grads]
    for p, g in zip(params, grads, strict=True):
        p.grad = torch.tensor(g, dtype=torch.float64)
    total = torch.nn.utils.clip_grad_norm_(params, max_norm)
    return [p.grad.numpy() for p in params], float(total)


def check_against_torch(grads: list[np.ndarray], max_norm: float) -> None:
    copies = [g.copy() for g in grads]
    clipped, total = clip_by_global_norm(grads, max_norm)
    expected, expected_total = torch_clip(grads, max_norm)
    assert isinstance(total, float)
    assert total == pytest.approx(expected_total, rel=RTOL_SAME_MATH, abs=0.0)
    assert isinstance(clipped, list) and len(clipped) == len(grads)
    for k, (c, e, g, before) in enumerate(zip(clipped, expected, grads, copies, strict=True)):
        assert isinstance(c, np.ndarray) and c.dtype == np.float64 and c.shape == g.shape
        assert_close(c, e, name=f"clipped[{k}]", rtol=RTOL_SAME_MATH, atol=0.0)
        assert np.array_equal(g, before), f"grads[{k}] was changed in place"
        assert not np.shares_memory(c, g), f"clipped[{k}] shares memory with grads[{k}]"


def test_different_shapes_above_the_threshold(rng):
    grads = [rng.normal(size=(3, 4)) * 10, rng.normal(size=5), np.array(2.5), rng.normal(size=(2, 3, 2))]
    check_against_torch(grads, max_norm=1.0)
    clipped, total = clip_by_global_norm(grads, 1.0)
    assert total > 10 and global_norm(clipped) == pytest.approx(1.0, rel=1e-5)


def test_below_the_threshold_returns_equal_copies(rng):
    grads = [rng.normal(size=(2, 2)), rng.normal(size=3)]
    clipped, total = clip_by_global_norm(grads, max_norm=100.0)
    assert total < 100
    for c, g in zip(clipped, grads, strict=True):
        assert np.array_equal(c, g) and c is not g


def test_exactly_at_the_threshold_scales_by_c_over_c_plus_eps():
    grads = [np.array([3.0, 4.0]), np.array([12.0])]  # norm 13, exactly
    clipped, total = clip_by_global_norm(grads, max_norm=13.0)
    assert total == 13.0
    factor = 13.0 / (13.0 + CLIP_EPS)  # < 1, so the contract (and torch) clip, by almost nothing
    assert_close(clipped[0], np.array([3.0, 4.0]) * factor, rtol=1e-15, atol=0.0)
    check_against_torch(grads, max_norm=13.0)


def test_zero_gradients_stay_zero_without_warnings():
    grads = [np.zeros((2, 3)), np.zeros(4)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clipped, total = clip_by_global_norm(grads, max_norm=1.0)
    assert total == 0.0
    for c in clipped:
        assert np.array_equal(c, np.zeros_like(c))
    check_against_torch(grads, max_norm=1.0)


def test_zero_d_array_stays_an_array_when_clipped():
    clipped, total = clip_by_global_norm([np.array(-8.0)], max_norm=2.0)
    assert total == 8.0
    assert isinstance(clipped[0], np.ndarray) and clipped[0].shape == ()
    assert_close(clipped[0], -2.0, rtol=1e-6)


def test_other_dtypes_come_back_as_float64():
    clipped, total = clip_by_global_norm([np.array([3, 4]), np.array([1.0], dtype=np.float32)], max_norm=1.0)
    assert all(c.dtype == np.float64 for c in clipped)
    assert total == pytest.approx(np.sqrt(26.0), rel=1e-15)


def test_an_empty_list_has_norm_zero():
    assert clip_by_global_norm([], max_norm=1.0) == ([], 0.0)


shapes = st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple)
log_scales = st.floats(-3.0, 3.0)  # gradient entries from ~1e-3 to ~1e3: vanishing to exploding


@settings(max_examples=60, deadline=None)
@given(
    specs=st.lists(st.tuples(shapes, log_scales), min_size=1, max_size=5),
    log_max_norm=st.floats(-2.0, 2.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_matches_torch_on_random_lists(specs, log_max_norm, seed):
    rng = np.random.default_rng(seed)
    grads = [rng.normal(size=shape) * 10.0**scale for shape, scale in specs]
    check_against_torch(grads, max_norm=10.0**log_max_norm)
