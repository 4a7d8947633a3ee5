r"""A synthetic "stock price" with a hidden trend regime, and sliding windows over a series.

Shapes: L series length, M windows, T time steps per window (the window length).

The price is **synthetic**: a random walk whose daily change has a drift that depends on a
hidden two-state regime (a rising and a falling market) which persists for a while and then
flips. With :math:`s_t \in \{+1, -1\}` the regime and :math:`\varepsilon_t \sim \mathcal N(0, 1)`,

.. math::
    \begin{aligned}
    s_t &= \begin{cases} -s_{t-1} & \text{with probability } q \\
                         s_{t-1} & \text{otherwise} \end{cases} \\
    c_t &= \mu\, s_t + \sigma\, \varepsilon_t \qquad \text{(the change on day } t\text{)} \\
    p_t &= p_{-1} + \sum_{k \le t} c_k \qquad \text{(the price)}
    \end{aligned}

The regime is never observed. Yesterday's change alone is a weak hint of it (the noise
:math:`\sigma` is as large as the drift :math:`\mu`), but the last week or two of changes
say a lot: a forecaster that remembers the past beats one that looks only at the last value.
:func:`regime_forecast` is the best possible forecaster (the exact Bayesian filter, which
knows the generator's parameters); learned models can only approach it.

>>> series = regime_switching_prices(5, np.random.default_rng(0))
>>> series.prices.shape, series.changes.shape, series.regimes.shape
((5,), (5,), (5,))
>>> bool(np.allclose(np.diff(series.prices), series.changes[1:]))
True
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

# Defaults: the daily noise is as large as the drift, so one day's change is a weak hint of the
# regime (a change of +1 is only e^2 ~ 7 times likelier in a rising regime than in a falling
# one) while a week or two of changes makes it clear; a switch probability of 0.02 makes a
# regime last 1/0.02 = 50 days on average.
DRIFT = 1.0
VOLATILITY = 1.0
SWITCH_PROB = 0.02
START_PRICE = 100.0


class PriceSeries(NamedTuple):
    prices: Array  # (L,) price at the end of each day
    changes: Array  # (L,) change during each day; prices[t] - prices[t-1] for t >= 1
    regimes: NDArray[np.int64]  # (L,) hidden regime, +1 rising or -1 falling


def regime_switching_prices(
    length: int,
    rng: np.random.Generator,
    *,
    drift: float = DRIFT,
    volatility: float = VOLATILITY,
    switch_prob: float = SWITCH_PROB,
    start: float = START_PRICE,
) -> PriceSeries:
    """Simulate `length` days of the regime-switching price (see the module docstring).

    Args:
        length: L, number of days.
        rng: the only source of randomness.
        drift: μ, the mean daily change in a rising regime (minus it when falling).
        volatility: σ, the standard deviation of the daily noise.
        switch_prob: q, the probability that the regime flips from one day to the next.
        start: the price before the first day.

    Returns:
        A `PriceSeries` of three (L,) arrays. The first regime is +1 or −1 with equal
        probability.

    Raises:
        ValueError: if length < 1, volatility <= 0 or switch_prob is outside [0, 1].
    """
    if length < 1:
        raise ValueError(f"length must be at least 1, got {length}")
    if volatility <= 0:
        raise ValueError(f"volatility must be positive, got {volatility}")
    if not 0.0 <= switch_prob <= 1.0:
        raise ValueError(f"switch_prob must be a probability in [0, 1], got {switch_prob}")
    first = rng.choice(np.array([-1, 1]))
    flips = rng.random(length) < switch_prob
    flips[0] = False  # the first day has no yesterday to flip from
    # the regime flips sign at every flip: s_t = s_0 * (-1) ** (number of flips up to t)
    regimes = first * np.where(np.cumsum(flips) % 2 == 0, 1, -1).astype(np.int64)
    changes = drift * regimes + volatility * rng.standard_normal(length)
    prices = start + np.cumsum(changes)
    return PriceSeries(prices, changes, regimes)


def regime_forecast(
    changes: Array,
    *,
    drift: float = DRIFT,
    volatility: float = VOLATILITY,
    switch_prob: float = SWITCH_PROB,
) -> Array:
    r"""The optimal forecast :math:`\mathbb E[c_t \mid c_0, \dots, c_{t-1}]` of each day's change.

    The forward algorithm of a two-state hidden Markov model: with
    :math:`\pi_t = P(s_t = +1 \mid c_{<t})` (the *prior* for day t),

    .. math::
        \pi^{+}_t = \frac{\pi_t\, \phi(c_t - \mu)}{\pi_t\, \phi(c_t - \mu) + (1 - \pi_t)\, \phi(c_t + \mu)},
        \qquad \pi_{t+1} = (1 - q)\, \pi^{+}_t + q\, (1 - \pi^{+}_t),

    where :math:`\phi` is the :math:`\mathcal N(0, \sigma^2)` density, and the forecast is
    :math:`\mu\,(2\pi_t - 1)`. Its mean squared error is the floor no model can beat on average.

    Args:
        changes: (L,) observed daily changes.
        drift, volatility, switch_prob: the generator's parameters.

    Returns:
        forecasts: (L,); ``forecasts[t]`` uses only ``changes[:t]`` (``forecasts[0] = 0``).

    Two big rises make a rising regime near certain; the forecast then tends to
    :math:`\mu (1 - 2q) = 0.96`, not :math:`\mu = 1`, because the regime may flip tomorrow:

    >>> regime_forecast(np.array([3.0, 3.0, 3.0])).round(3)
    array([0.   , 0.955, 0.96 ])
    """
    changes = np.asarray(changes, dtype=np.float64)
    forecasts = np.empty_like(changes)
    prior_up = 0.5  # both regimes equally likely before any data
    for t, change in enumerate(changes):
        forecasts[t] = drift * (2.0 * prior_up - 1.0)
        # likelihood ratio phi(c - mu) / phi(c + mu) = exp(2 c mu / sigma^2), in log form for stability
        log_ratio = 2.0 * change * drift / volatility**2 + np.log(prior_up) - np.log1p(-prior_up)
        posterior_up = 1.0 / (1.0 + np.exp(-np.clip(log_ratio, -50.0, 50.0)))  # clip: exp overflow
        prior_up = (1.0 - switch_prob) * posterior_up + switch_prob * (1.0 - posterior_up)
    return forecasts


def sliding_windows(values: Array, window: int) -> tuple[Array, Array]:
    """Every run of ``window`` consecutive values, paired with the value that follows it.

    Args:
        values: (L,) a series.
        window: T, the number of past values a model sees, ``1 <= T < L``.

    Returns:
        X: (M, T) with ``M = L - T``; row i is ``values[i : i + T]``.
        y: (M,); ``y[i] = values[i + T]``, the next value after row i.

    Raises:
        ValueError: if the window is not in ``[1, L)``.

    >>> X, y = sliding_windows(np.arange(5.0), 3)
    >>> X
    array([[0., 1., 2.],
           [1., 2., 3.]])
    >>> y
    array([3., 4.])
    """
    values = np.asarray(values)
    if not 1 <= window < len(values):
        raise ValueError(
            f"window must be in [1, {len(values)}) for a series of length {len(values)}, got {window}"
        )
    index = np.arange(len(values) - window)[:, None] + np.arange(window)  # (M, T)
    return values[index], values[window:]


def split_series(values: Array, fractions: tuple[float, ...]) -> list[Array]:
    """Cut a series into consecutive pieces (train, then validation, then test), in time order.

    Time series are split by time, never shuffled: a model must not peek at the future.

    Args:
        values: (L,) a series.
        fractions: the share of each piece but the last, which takes the rest; their sum < 1.

    Returns:
        ``len(fractions) + 1`` arrays that concatenate back to ``values``.

    >>> [len(part) for part in split_series(np.arange(10.0), (0.6, 0.2))]
    [6, 2, 2]
    """
    if any(f <= 0 for f in fractions) or sum(fractions) >= 1:
        raise ValueError(f"fractions must be positive and sum to less than 1, got {fractions}")
    cuts = np.round(np.cumsum(fractions) * len(values)).astype(int)
    return np.split(np.asarray(values), cuts)
