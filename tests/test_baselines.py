"""course_lib.baselines: the least-squares AR(k) model against exact recurrences and the normal equations."""
from __future__ import annotations

import numpy as np
import pytest

from course_lib.baselines import fit_autoregression, predict_autoregression
from course_lib.data.series import sliding_windows


def test_fit_autoregression_recovers_a_noiseless_recurrence():
    # x_t = 0.5 + 0.3 x_{t-2} - 0.6 x_{t-1}: an exact AR(2), stable (roots inside the unit circle)
    x = [1.0, -1.0]
    for _ in range(50):
        x.append(0.5 + 0.3 * x[-2] - 0.6 * x[-1])
    X, y = sliding_windows(np.array(x), 4)
    w = fit_autoregression(X, y, order=2)
    assert w.shape == (3,)
    np.testing.assert_allclose(w, [0.5, 0.3, -0.6], atol=1e-8)  # intercept, then oldest to newest
    np.testing.assert_allclose(predict_autoregression(X, w), y, atol=1e-8)


def test_fit_autoregression_solves_the_normal_equations(rng):
    X, y = rng.normal(size=(40, 6)), rng.normal(size=40)
    for order in (1, 3, 6):
        A = np.column_stack([np.ones(40), X[:, -order:]])
        expected = np.linalg.solve(A.T @ A, A.T @ y)  # independent oracle: (A^T A)^-1 A^T y
        w = fit_autoregression(X, y, order)
        np.testing.assert_allclose(w, expected, rtol=1e-8)
        assert predict_autoregression(X, w).shape == (40,)


def test_autoregression_error_messages(rng):
    X, y = rng.normal(size=(10, 3)), rng.normal(size=10)
    with pytest.raises(ValueError, match=r"order must be in \[1, 3\]"):
        fit_autoregression(X, y, order=4)
    with pytest.raises(ValueError, match="y must be"):
        fit_autoregression(X, y[:5], order=2)
    with pytest.raises(ValueError, match="X must be"):
        fit_autoregression(X[0], y, order=1)
