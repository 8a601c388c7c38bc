"""Periodic work of service level management."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from huey import crontab

from servitium.core.jobs import as_job, periodic


def month_to_date(now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    now = timezone.localtime(now or timezone.now())
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, max(end, start)


@periodic(crontab(minute="15", hour="1"), name="RecordServicePerformance", every=dt.timedelta(days=1))
@as_job
def record_service_performance() -> int:
    """Each night: expire agreements past their end and record month-to-date performance of every target."""
    from .services import agreements_expire_due, performance_record

    agreements_expire_due()
    start, end = month_to_date()
    if end <= start:  # first day of the month: close the previous month instead
        end = start
        start = (start - dt.timedelta(days=1)).replace(day=1)
    return performance_record(period_start=start, period_end=end)
