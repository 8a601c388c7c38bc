"""Periodic work of the conformity engine: the nightly assessment of every framework."""

from __future__ import annotations

import datetime as dt
import logging

from huey import crontab

from servitium.core.jobs import as_job, periodic

logger = logging.getLogger(__name__)


@periodic(crontab(minute="15", hour="3"), name="AssessConformity", every=dt.timedelta(days=1))
@as_job
def assess_conformity() -> str:
    """Each night: run every check and store an assessment, so that the dashboard shows a trend."""
    from .models import Assessment
    from .services import assessment_run

    assessment = assessment_run(actor=None, trigger=Assessment.Trigger.SCHEDULED)
    logger.info("conformity assessment %s stored", assessment.reference)
    return assessment.reference
