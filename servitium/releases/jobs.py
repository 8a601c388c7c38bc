"""Periodic work of release management: recording release success once the early-life period ends."""

from __future__ import annotations

import datetime as dt
import logging

from huey import crontab

from servitium.core.jobs import as_job, periodic

logger = logging.getLogger(__name__)


@periodic(crontab(minute="50", hour="2"), name="MeasureReleaseSuccess", every=dt.timedelta(days=1))
@as_job
def measure_release_success(now=None) -> int:
    """Each night: for deployed releases whose early-life period has ended, count the incidents on their CIs
    and record whether they succeeded."""
    from .services import measure_early_life

    measured = measure_early_life(now=now)
    if measured:
        logger.info("measured the success of %d releases", measured)
    return measured
