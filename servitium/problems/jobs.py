"""Periodic work of problem management: the daily trend analysis of incidents."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from servitium.core.jobs import as_job

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="40", hour="2"), name="ProposeProblems")
@as_job
def propose_problems(now=None, days: int = 14, threshold: int = 5) -> list[str]:
    """Each night: propose a problem for every cluster of `threshold` or more incidents in the last `days`
    days (same configuration item, or same service and category) that no open problem covers yet."""
    from .services import problems_propose

    proposed = problems_propose(actor=None, now=now, days=days, threshold=threshold)
    if proposed:
        logger.info("proposed %d problems from incident trends", len(proposed))
    return [p.reference for p in proposed]
