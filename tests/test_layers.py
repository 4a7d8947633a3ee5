"""course_lib.numpy_nn.layers: one-hot, temporal affine, softmax cross-entropy."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from course_lib.grading import assert_close, numerical_gradient
from course_lib.numpy_nn import layers


def test_one_hot_shapes_and_values():
    ids = np.array([[0, 3], [2, 1]])
    out = layers.one_hot(ids, 4)
    assert out.shape == (2, 2, 4) and out.dtype == np.float64
    assert_close(out.argmax(-1), ids)
    assert_close(out.sum(-1), np.ones((2, 2)))


@pytest.mark.parametrize("bad", [[-1], [4], [0, 5]])
def test_one_hot_rejects_out_of_range(bad):
    with pytest.raises(ValueError, match="outside"):
        layers.one_hot(np.array(bad), 4)


def test_softmax_cross_entropy_matches_torch(rng):
    scores = rng.normal(size=(2, 3, 5)) * 3
    targets = rng.integers(0, 5, size=(2, 3))
    loss, dscores = layers.softmax_cross_entropy(scores, targets)
    s = torch.tensor(scores, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(s.reshape(-1, 5), torch.from_numpy(targets).reshape(-1))
    expected.backward()
    assert loss == pytest.approx(float(expected.detach()), rel=1e-12)
    assert_close(dscores, s.grad, name="dscores")


def test_softmax_is_stable_for_large_scores():
    p = layers.softmax(np.array([[1000.0, 0.0, -1000.0]]))
    assert np.isfinite(p).all()
    assert_close(p.sum(), 1.0)


@pytest.mark.parametrize("name", ["x", "W", "b"])
def test_temporal_affine_backward(rng, name):
    args = dict(x=rng.normal(size=(2, 3, 4)), W=rng.normal(size=(4, 5)), b=rng.normal(size=5))
    out, cache = layers.temporal_affine_forward(**args)
    dout = rng.normal(size=out.shape)
    analytic = dict(zip(args, layers.temporal_affine_backward(dout, cache)))[name]
    expected = numerical_gradient(lambda v: layers.temporal_affine_forward(**{**args, name: v})[0], args[name], dout)
    assert_close(analytic, expected, name=f"d{name}", rtol=1e-6, atol=1e-8)
