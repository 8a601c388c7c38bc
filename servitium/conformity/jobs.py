"""Periodic work of the conformity engine: the nightly assessment of every framework."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from servitium.core.jobs import as_job

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="15", hour="3"), name="AssessConformity")
@as_job
def assess_conformity() -> str:
    """Each night: run every check and store an assessment, so that the dashboard shows a trend."""
    from .models import Assessment
    from .services import assessment_run

    assessment = assessment_run(actor=None, trigger=Assessment.Trigger.SCHEDULED)
    logger.info("conformity assessment %s stored", assessment.reference)
    return assessment.reference
