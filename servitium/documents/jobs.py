"""Nightly work of documented information: bring approved versions into force on their date, flag
documents overdue for review, and flag record series with records past their retention."""

from __future__ import annotations

import datetime as dt
import logging

from huey import crontab

from servitium.core.jobs import as_job, periodic

logger = logging.getLogger(__name__)


@periodic(crontab(minute="10", hour="1"), name="ReleaseDocumentVersions", every=dt.timedelta(days=1))
@as_job
def release_document_versions() -> list[str]:
    """Approved versions whose effective date has come are brought into force."""
    from .services import versions_bring_into_force

    return [str(v) for v in versions_bring_into_force()]


@periodic(crontab(minute="20", hour="1"), name="FlagDocumentReviews", every=dt.timedelta(days=1))
@as_job
def flag_document_reviews() -> list[str]:
    """Documents past their next review date are flagged (the list filter "review overdue" shows them)."""
    from .services import documents_flag_review_overdue

    flagged = documents_flag_review_overdue()
    if flagged:
        logger.info("%d documents are overdue for review", len(flagged))
    return [d.reference for d in flagged]


@periodic(crontab(minute="30", hour="1"), name="FlagRecordsForDisposal", every=dt.timedelta(days=1))
@as_job
def flag_records_for_disposal() -> dict[str, int]:
    """Count, per record series, the records past their retention; nothing is deleted here (disposal needs
    an approved disposal request)."""
    from .services import series_flag_due

    return {s.reference: s.due_for_disposal for s in series_flag_due()}
