"""Periodic work of risk management: the daily flag on risks whose review date has passed."""

from __future__ import annotations

import datetime as dt
import logging

from huey import crontab

from servitium.core.jobs import as_job, periodic

logger = logging.getLogger(__name__)


@periodic(crontab(minute="15", hour="3"), name="FlagOverdueRiskReviews", every=dt.timedelta(days=1))
@as_job
def flag_overdue_risk_reviews(today=None) -> dict[str, list[str]]:
    """Each night: flag open risks past their review date (the register's "review overdue" filter and the
    SMS home tile show them to their owners) and clear the flag where a review happened."""
    from .services import risks_flag_overdue

    result = risks_flag_overdue(actor=None, today=today)
    if result["flagged"]:
        logger.info("%d risks overdue for review", len(result["flagged"]))
    return result
