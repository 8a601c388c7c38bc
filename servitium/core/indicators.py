"""The provider-wide indicator registry: named measures of how the services and the SMS perform.

Objectives (sms), reports and dashboards measure against indicators by key, so the app that owns the
figures registers how to compute them and the app that sets a target on them never imports it:

    register("change_success_rate", _("Change success rate"), "%", change_success_rate)

`func(period_start, period_end)` returns the value for the half-open period [start, end) of dates, or
None when there is nothing to measure in it (no changes, no surveys): "no data" is not zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

IndicatorFunc = Callable[[dt.date, dt.date], Decimal | None]


@dataclass(frozen=True)
class Indicator:
    key: str
    label: Any
    unit: str
    func: IndicatorFunc
    description: Any = ""

    def measure(self, period_start: dt.date, period_end: dt.date) -> Decimal | None:
        value = self.func(period_start, period_end)
        return None if value is None else Decimal(str(value)).quantize(Decimal("0.001"))


_INDICATORS: dict[str, Indicator] = {}


def register(key: str, label: Any, unit: str, func: IndicatorFunc, *, description: Any = "") -> Indicator:
    """Add (or replace, when its module is imported again) the indicator `key`."""
    indicator = Indicator(key, label, unit, func, description)
    _INDICATORS[key] = indicator
    return indicator


def unregister(key: str) -> None:
    _INDICATORS.pop(key, None)


def get(key: str) -> Indicator | None:
    return _INDICATORS.get(key)


def indicators() -> list[Indicator]:
    """Every registered indicator, by key."""
    return [_INDICATORS[k] for k in sorted(_INDICATORS)]


def choices() -> list[tuple[str, str]]:
    return [(i.key, str(i.label)) for i in indicators()]
