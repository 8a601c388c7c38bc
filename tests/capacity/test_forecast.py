"""The forecast arithmetic: least squares recovers a straight line, and the crossing of a threshold falls
where the line says, for any line (hypothesis); flat or improving trends forecast no breach."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servitium.capacity import forecast

START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def series(slope: float, intercept: float, n: int, step_days: float = 1.0):
    return [(START + dt.timedelta(days=i * step_days), intercept + slope * i * step_days) for i in range(n)]


@settings(max_examples=200, deadline=None)
@given(
    slope=st.floats(min_value=-50, max_value=50, allow_nan=False).filter(lambda s: abs(s) > 1e-3),
    intercept=st.floats(min_value=-1000, max_value=1000, allow_nan=False),
    n=st.integers(min_value=2, max_value=120),
    step=st.floats(min_value=0.01, max_value=30),
)
def test_least_squares_recovers_an_exact_line(slope, intercept, n, step):
    points = [(i * step, intercept + slope * i * step) for i in range(n)]
    fitted_slope, fitted_intercept = forecast.least_squares(points)
    assert fitted_slope == pytest.approx(slope, rel=1e-6, abs=1e-6)
    assert fitted_intercept == pytest.approx(intercept, rel=1e-6, abs=1e-4)


@settings(max_examples=200, deadline=None)
@given(
    slope=st.floats(min_value=0.01, max_value=20),
    start=st.floats(min_value=0, max_value=50),
    headroom=st.floats(min_value=1, max_value=500),
    n=st.integers(min_value=2, max_value=90),
    higher=st.booleans(),
)
def test_the_crossing_falls_where_the_line_reaches_the_threshold(slope, start, headroom, n, higher):
    """A rising line (or a falling one when lower is worse) beneath the threshold at its last reading
    reaches it after (threshold - last value) / slope days."""
    sign = 1 if higher else -1
    readings = series(sign * slope, sign * start, n)
    last_when, last_value = readings[-1]
    threshold = last_value + sign * headroom
    found = forecast.crossing(readings, threshold, higher_is_worse=higher)
    expected = last_when + dt.timedelta(days=headroom / slope)
    assert found is not None
    assert abs((found - expected).total_seconds()) < 60


@settings(max_examples=100, deadline=None)
@given(
    slope=st.floats(min_value=0, max_value=20),
    level=st.floats(min_value=-100, max_value=100),
    n=st.integers(min_value=2, max_value=60),
)
def test_a_trend_moving_away_from_the_threshold_forecasts_no_breach(slope, level, n):
    readings = series(-slope, level, n)  # flat or falling, with higher is worse
    assert forecast.crossing(readings, level + 1000, higher_is_worse=True) is None


def test_beyond_the_threshold_already_is_a_crossing_at_the_last_reading():
    readings = series(1.0, 95.0, 5)
    assert forecast.crossing(readings, 90.0) == readings[-1][0]


def test_one_reading_or_one_instant_gives_no_trend():
    assert forecast.trend(series(1.0, 1.0, 1)) is None
    assert forecast.least_squares([(1.0, 2.0), (1.0, 3.0)]) is None
    assert forecast.crossing(series(1.0, 1.0, 1), 10.0) is None


def test_noisy_readings_give_the_least_squares_line():
    # y = 1, 3, 2, 5, 4 at x = 0..4: slope 0.8, intercept 1.4 (worked by hand).
    slope, intercept = forecast.least_squares([(0, 1), (1, 3), (2, 2), (3, 5), (4, 4)])
    assert slope == pytest.approx(0.8)
    assert intercept == pytest.approx(1.4)
