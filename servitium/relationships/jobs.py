"""Periodic work of business relationship management."""

import datetime as dt

from huey import crontab

from servitium.core.jobs import as_job, periodic


@periodic(crontab(minute="0", hour="*/4"), name="EscalateOverdueComplaints", every=dt.timedelta(hours=4))
@as_job
def escalate_overdue_complaints() -> int:
    """Every four hours: escalate complaints left open beyond the escalation period."""
    from .services import complaints_escalate_overdue

    return complaints_escalate_overdue()
