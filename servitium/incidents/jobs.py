"""Delayed SLA checks at the exact warning and breach instants (scheduled by clocks.py), the nightly closing
of resolved tickets, and the imports started in the browser."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_task

from servitium.core import changelog
from servitium.core.jobs import as_job, periodic
from servitium.core.models import ChangeRecord
from servitium.core.outbound import AT_RISK, BREACH, announce

from . import clocks
from .clocks import schedule_next_check
from .imports import runs  # also registers the task RunIncidentImport, declared there

logger = logging.getLogger(__name__)


@db_task(name="CheckSlaClock")
@as_job
def sla_clock_check(clock_id: int, version: int, now=None) -> str:
    """Warn at the threshold (telling the customer in advance), record the breach at the due instant."""
    from .models import SlaClock

    now = now or timezone.now()
    with transaction.atomic():
        clock = (
            SlaClock.objects.select_for_update(of=("self",))
            .select_related("incident", "incident__caller", "incident__assignee")
            .filter(pk=clock_id)
            .first()
        )
        if clock is None or clock.version != version or clock.stopped_at is not None or clock.paused:
            return "stale"
        incident = clock.incident
        metric = clock.get_metric_display()
        if clock.due_at and now >= clock.due_at and not clock.breached_notified:
            clock.breached_notified = True
            clock.save(update_fields=["breached_notified", "updated"])
            message = _("%(metric)s target breached") % {"metric": metric}
            outcome = "breached"
        elif clock.warn_at and now >= clock.warn_at and not clock.warned:
            clock.warned = True
            clock.save(update_fields=["warned", "updated"])
            message = _("%(metric)s target at risk: due %(due)s") % {
                "metric": metric,
                "due": timezone.localtime(clock.due_at).strftime("%Y-%m-%d %H:%M %Z"),
            }
            outcome = "warned"
        else:
            schedule_next_check(clock)  # woken before its instant (clock skew): go back to sleep
            return "early"
        changelog.record(incident, action=ChangeRecord.Action.UPDATE, changes={}, message=message)
        announce(  # for the outbound webhooks: a domain event of its own
            incident,
            BREACH if outcome == "breached" else AT_RISK,
            details={"metric": clock.metric, "due_at": clock.due_at.isoformat() if clock.due_at else None},
        )
        schedule_next_check(clock)  # after the warning, the breach check
        level = 2 if outcome == "breached" else 1
        if incident.escalation_level < level and incident.is_open:
            from .major import escalate

            escalate(actor=None, incident=incident, kind="hierarchical", note=message, automatic=True)
        from .mail import outbound

        recipients = [p.email for p in (incident.caller, incident.assignee) if p is not None and p.email]
        with outbound.speaking_to(recipients):  # the change log above keeps the installation's language
            metric = clock.get_metric_display()
            if outcome == "breached":
                message = _("%(metric)s target breached") % {"metric": metric}
            else:
                message = _("%(metric)s target at risk: due %(due)s") % {
                    "metric": metric,
                    "due": timezone.localtime(clock.due_at).strftime("%Y-%m-%d %H:%M %Z"),
                }
            body = _("%(ref)s %(title)s\n\n%(message)s. We are working on it and will keep you informed.") % {
                "ref": incident.reference,
                "title": incident.title,
                "message": message,
            }
        outbound.notify(incident, to=recipients, subject=message, text=body, automatic=True)
        return outcome


clocks.CHECK_JOB[:] = [sla_clock_check]  # clocks schedules it without importing this module


@periodic(crontab(minute="10", hour="3"), name="CloseResolvedTickets", every=dt.timedelta(days=1))
@as_job
def close_resolved_tickets(now=None) -> dict[str, int]:
    """Close tickets resolved more than SERVITIUM_AUTO_CLOSE_DAYS ago that nobody reopened. A major
    incident waits for its post-incident review, so it is left resolved (and shows on the closure check)."""
    import datetime as dt

    from django.conf import settings

    from servitium.core.errors import TransitionNotAllowed

    from .models import Incident
    from .services import incident_transition

    days = settings.AUTO_CLOSE_RESOLVED_DAYS
    if days <= 0:
        return {"closed": 0, "left": 0}
    now = now or timezone.now()
    due = Incident.objects.filter(
        status=Incident.Status.RESOLVED, resolved_at__lt=now - dt.timedelta(days=days)
    ).values_list("pk", flat=True)
    closed = left = 0
    for pk in list(due):
        try:
            with transaction.atomic():
                incident_transition(
                    actor=None,
                    instance=Incident(pk=pk),
                    transition="close",
                    note=_("Closed automatically %(days)d days after it was resolved.") % {"days": days},
                    now=now,
                )
            closed += 1
        except TransitionNotAllowed:
            left += 1
    logger.info("closed %d resolved tickets, left %d waiting for a review", closed, left)
    return {"closed": closed, "left": left}


@periodic(crontab(minute="40", hour="3"), name="ForgetImportUploads", every=dt.timedelta(days=1))
@as_job
def forget_import_uploads(now=None) -> int:
    """Remove the uploaded files of ended imports still stored, end those whose worker stopped (daily)."""
    return runs.forget_uploads(now=now)
