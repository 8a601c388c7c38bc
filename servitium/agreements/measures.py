"""Where the performance job gets its figures: one function per measure kind, registered by the process
that owns the data (incidents register response and resolution times, availability its percentage...).

    @register_measure("resolution_time")
    def resolution_time(target, period_start, period_end) -> Measurement | None: ...

Custom measures are keyed `custom:<name>`. The job asks the registry; a new kind needs no change in the job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Measurement:
    value: Decimal | float
    samples: int = 1
    note: str = ""


MeasureFunc = Callable[..., Measurement | None]
MEASURES: dict[str, MeasureFunc] = {}


def register_measure(key: str) -> Callable[[MeasureFunc], MeasureFunc]:
    def decorator(func: MeasureFunc) -> MeasureFunc:
        MEASURES[key] = func
        return func

    return decorator


def unregister_measure(key: str) -> None:
    MEASURES.pop(key, None)
