"""Periodic work of availability management: each night, outages are derived from major incidents and
implemented changes of the last days."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from huey import crontab

from servitium.core.jobs import as_job, periodic

logger = logging.getLogger(__name__)
LOOK_BACK_DAYS = 14


@periodic(crontab(minute="40", hour="2"), name="SyncOutages", every=dt.timedelta(days=1))
@as_job
def sync_outages(now=None) -> dict[str, int]:
    """Each night: turn major incidents and implemented changes that ended in the last two weeks (or are
    still open) into outages, so the availability figures and the service reports include them."""
    from .services import outages_sync

    since = (now or timezone.now()) - dt.timedelta(days=LOOK_BACK_DAYS)
    result = outages_sync(actor=None, since=since)
    if result["created"]:
        logger.info("%d outages derived", result["created"])
    return result
