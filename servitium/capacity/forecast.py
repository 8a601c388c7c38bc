"""The forecast of a capacity metric from its history: a least-squares straight line through the latest
measurements, and the moment that line crosses a threshold. Pure arithmetic, no database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
DAY_S = 86400.0


@dataclass(frozen=True)
class Trend:
    """value = intercept + slope * days, days counted from `origin`."""

    slope: float  # per day
    intercept: float
    origin: dt.datetime

    def value_at(self, when: dt.datetime) -> float:
        return self.intercept + self.slope * (when - self.origin).total_seconds() / DAY_S


def least_squares(points: Sequence[tuple[float, float]]) -> tuple[float, float] | None:
    """Slope and intercept of the least-squares line through (x, y) points; None with fewer than two
    distinct x values (no line can be fitted)."""
    n = len(points)
    if n < 2:
        return None
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    if sxx <= 0:
        return None
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in points)
    slope = sxy / sxx
    return slope, mean_y - slope * mean_x


def trend(readings: Sequence[tuple[dt.datetime, float]]) -> Trend | None:
    """The straight line through timestamped readings (days since the first reading as x)."""
    if len(readings) < 2:
        return None
    origin = min(when for when, _ in readings)
    fitted = least_squares([((when - origin).total_seconds() / DAY_S, float(v)) for when, v in readings])
    if fitted is None:
        return None
    return Trend(slope=fitted[0], intercept=fitted[1], origin=origin)


def crossing(
    readings: Sequence[tuple[dt.datetime, float]],
    threshold: float,
    *,
    higher_is_worse: bool = True,
    after: dt.datetime | None = None,
) -> dt.datetime | None:
    """When the trend of `readings` reaches `threshold` (from the good side), at or after `after` (default:
    the latest reading). None when the trend is flat or moves away from the threshold. When the trend is
    already beyond the threshold at `after`, that moment is returned."""
    line = trend(readings)
    if line is None:
        return None
    start = after or max(when for when, _ in readings)
    now_value = line.value_at(start)
    beyond = now_value >= threshold if higher_is_worse else now_value <= threshold
    if beyond:
        return start
    worsening = line.slope > 0 if higher_is_worse else line.slope < 0
    if not worsening:
        return None
    days = (threshold - line.intercept) / line.slope
    if days > 365 * 200:  # beyond any horizon a plan cares about (and beyond datetime's range)
        return None
    return line.origin + dt.timedelta(days=days)
