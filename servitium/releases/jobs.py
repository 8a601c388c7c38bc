"""Periodic work of release management: recording release success once the early-life period ends."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from servitium.core.jobs import as_job

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="50", hour="2"), name="MeasureReleaseSuccess")
@as_job
def measure_release_success(now=None) -> int:
    """Each night: for deployed releases whose early-life period has ended, count the incidents on their CIs
    and record whether they succeeded."""
    from .services import measure_early_life

    measured = measure_early_life(now=now)
    if measured:
        logger.info("measured the success of %d releases", measured)
    return measured
