"""course_lib.data.series: the synthetic price, its optimal forecast, sliding windows and time
splits, each against an independent oracle (a textbook HMM forward pass, direct indexing)."""
from __future__ import annotations

import numpy as np
import pytest

from course_lib.baselines import fit_autoregression, predict_autoregression
from course_lib.data.series import (
    DRIFT,
    START_PRICE,
    SWITCH_PROB,
    VOLATILITY,
    regime_forecast,
    regime_switching_prices,
    sliding_windows,
    split_series,
)

L, T = 200, 7


def test_price_series_shapes_types_and_bookkeeping(rng):
    series = regime_switching_prices(L, rng)
    assert series.prices.shape == series.changes.shape == series.regimes.shape == (L,)
    assert series.prices.dtype == np.float64 and series.regimes.dtype == np.int64
    assert set(np.unique(series.regimes)) <= {-1, 1}
    np.testing.assert_allclose(series.prices, START_PRICE + np.cumsum(series.changes))


def test_price_series_is_a_pure_function_of_the_generator():
    a = regime_switching_prices(L, np.random.default_rng(5))
    b = regime_switching_prices(L, np.random.default_rng(5))
    c = regime_switching_prices(L, np.random.default_rng(6))
    np.testing.assert_array_equal(a.prices, b.prices)
    assert not np.array_equal(a.prices, c.prices)


def test_switch_probability_extremes(rng):
    assert len(set(regime_switching_prices(L, rng, switch_prob=0.0).regimes)) == 1
    alternating = regime_switching_prices(L, rng, switch_prob=1.0).regimes
    np.testing.assert_array_equal(alternating[1:], -alternating[:-1])


def test_changes_have_the_documented_statistics():
    length = 200_000  # standard error of a mean ~ 1/sqrt(100_000) ~ 0.003
    series = regime_switching_prices(length, np.random.default_rng(1))
    noise = series.changes - DRIFT * series.regimes
    assert abs(noise.mean()) < 0.02 and abs(noise.std() - VOLATILITY) < 0.02
    flip_rate = np.mean(series.regimes[1:] != series.regimes[:-1])
    assert abs(flip_rate - SWITCH_PROB) < 0.002


@pytest.mark.parametrize(("kwargs", "message"), [
    (dict(length=0), "length must be at least 1"),
    (dict(length=5, volatility=0.0), "volatility must be positive"),
    (dict(length=5, switch_prob=1.5), "switch_prob must be a probability"),
])
def test_price_series_rejects_bad_arguments(rng, kwargs, message):
    with pytest.raises(ValueError, match=message):
        regime_switching_prices(rng=rng, **kwargs)


def _forward_algorithm(changes, drift, volatility, switch_prob):
    """Independent oracle: the textbook HMM forward pass with a transition matrix and densities."""
    means = np.array([drift, -drift])  # state 0 rising, state 1 falling
    transition = np.array([[1 - switch_prob, switch_prob], [switch_prob, 1 - switch_prob]])
    prior = np.array([0.5, 0.5])
    out = []
    for c in changes:
        out.append(prior @ means)
        density = np.exp(-0.5 * ((c - means) / volatility) ** 2)
        posterior = prior * density / np.sum(prior * density)
        prior = posterior @ transition
    return np.array(out)


@pytest.mark.parametrize(("drift", "volatility", "switch_prob"), [(1.0, 1.0, 0.02), (0.3, 2.0, 0.1)])
def test_regime_forecast_matches_the_forward_algorithm(rng, drift, volatility, switch_prob):
    params = dict(drift=drift, volatility=volatility, switch_prob=switch_prob)
    changes = regime_switching_prices(L, rng, **params).changes
    expected = _forward_algorithm(changes, drift, volatility, switch_prob)
    forecasts = regime_forecast(changes, **params)
    assert forecasts.shape == (L,)
    np.testing.assert_allclose(forecasts, expected, rtol=1e-10, atol=1e-12)


def test_regime_forecast_is_causal_and_bounded(rng):
    changes = regime_switching_prices(L, rng).changes
    altered = changes.copy()
    altered[100:] = 50.0  # an absurd future must not change forecasts made before it
    np.testing.assert_array_equal(regime_forecast(changes)[:101], regime_forecast(altered)[:101])
    assert np.all(np.abs(regime_forecast(altered)) <= DRIFT)


def test_regime_forecast_beats_every_ar_model():
    changes = regime_switching_prices(20_000, np.random.default_rng(2)).changes
    train, test = split_series(changes, (0.5,))
    X_train, y_train = sliding_windows(train, 20)
    X_test, y_test = sliding_windows(test, 20)
    oracle = np.mean((regime_forecast(test)[20:] - y_test) ** 2)
    for order in (1, 5, 20):
        w = fit_autoregression(X_train, y_train, order)
        assert oracle < np.mean((predict_autoregression(X_test, w) - y_test) ** 2)


def test_sliding_windows_shapes_and_alignment(rng):
    values = rng.normal(size=L)
    X, y = sliding_windows(values, T)
    assert X.shape == (L - T, T) and y.shape == (L - T,)
    for i in (0, 17, L - T - 1):
        np.testing.assert_array_equal(X[i], values[i : i + T])
        assert y[i] == values[i + T]
    np.testing.assert_array_equal(X[1:, -1], y[:-1])  # each target is the next window's last value


@pytest.mark.parametrize("window", [0, L])
def test_sliding_windows_rejects_bad_windows(rng, window):
    with pytest.raises(ValueError, match="window must be in"):
        sliding_windows(rng.normal(size=L), window)


def test_split_series_keeps_time_order(rng):
    values = rng.normal(size=L)
    parts = split_series(values, (0.6, 0.2))
    assert [len(p) for p in parts] == [120, 40, 40]
    np.testing.assert_array_equal(np.concatenate(parts), values)
    with pytest.raises(ValueError, match="sum to less than 1"):
        split_series(values, (0.6, 0.4))
