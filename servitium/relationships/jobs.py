"""Periodic work of business relationship management."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from servitium.core.jobs import as_job


@db_periodic_task(crontab(minute="0", hour="*/4"), name="EscalateOverdueComplaints")
@as_job
def escalate_overdue_complaints() -> int:
    """Every four hours: escalate complaints left open beyond the escalation period."""
    from .services import complaints_escalate_overdue

    return complaints_escalate_overdue()
