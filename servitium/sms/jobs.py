"""Periodic work of the management system."""

from __future__ import annotations

import datetime as dt

from huey import crontab

from servitium.core.jobs import as_job, periodic


@periodic(
    crontab(minute="30", hour="2", day="1"), name="RecordObjectiveMeasurements", every=dt.timedelta(days=1)
)
@as_job
def record_objective_measurements() -> int:
    """On the first of each month: measure every active objective for the month just ended; objectives
    that went off track without an action go to the improvement register."""
    from .services import objective_measure_months, objectives_raise_improvements

    measured = objective_measure_months(months=1)
    objectives_raise_improvements()
    return measured
