"""Periodic work of problem management: the daily trend analysis of incidents."""

from __future__ import annotations

import datetime as dt
import logging

from huey import crontab

from servitium.core.jobs import as_job, periodic

logger = logging.getLogger(__name__)


@periodic(crontab(minute="40", hour="2"), name="ProposeProblems", every=dt.timedelta(days=1))
@as_job
def propose_problems(now=None, days: int = 14, threshold: int = 5) -> list[str]:
    """Each night: propose a problem for every cluster of `threshold` or more incidents in the last `days`
    days (same configuration item, or same service and category) that no open problem covers yet."""
    from .services import problems_propose

    proposed = problems_propose(actor=None, now=now, days=days, threshold=threshold)
    if proposed:
        logger.info("proposed %d problems from incident trends", len(proposed))
    return [p.reference for p in proposed]
