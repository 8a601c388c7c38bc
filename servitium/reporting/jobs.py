"""Periodic work of service reporting: on the first day of each month, the reports of the month (or
quarter) that just ended, generated, issued and mailed for every active scheduled definition."""

from __future__ import annotations

import datetime as dt
import logging

from huey import crontab

from servitium.core.jobs import as_job, periodic

logger = logging.getLogger(__name__)


@periodic(crontab(minute="30", hour="4", day="1"), name="GenerateServiceReports", every=dt.timedelta(days=1))
@as_job
def generate_service_reports(today=None) -> list[str]:
    """Each first of the month: generate and issue the due reports (idempotent: a period already
    reported is left as it is, so a rerun or a late run makes only what is missing)."""
    from .services import reports_generate_due

    made = reports_generate_due(actor=None, today=today)
    if made:
        logger.info("%d service reports generated", len(made))
    return made
