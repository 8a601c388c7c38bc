"""Periodic work of the management system."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from servitium.core.jobs import as_job


@db_periodic_task(crontab(minute="30", hour="2", day="1"), name="RecordObjectiveMeasurements")
@as_job
def record_objective_measurements() -> int:
    """On the first of each month: measure every active objective for the month just ended."""
    from .services import objective_measure_months

    return objective_measure_months(months=1)
