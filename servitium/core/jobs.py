"""Periodic work of core. Jobs run as channel 'job' so their change-log entries say so."""

from __future__ import annotations

import functools
import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .context import change_context

logger = logging.getLogger(__name__)


def as_job(func):
    """Run a job body in the 'job' change context with its own request id."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with change_context(context="job"):
            return func(*args, **kwargs)

    return wrapper


@db_periodic_task(crontab(minute="*"), name="SealChangeLog")
@as_job
def seal_change_log() -> int:
    """Seal every unsealed change-log entry into the SHA-256 chain (each minute)."""
    from . import changelog

    sealed = changelog.seal()
    if sealed:
        logger.info("sealed %d change-log entries", sealed)
    return sealed
