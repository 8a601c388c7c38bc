"""Outages from monitoring: while a critical alert on a service fires, the service counts as down.

One outage per alert and service, opened at the alert's start and ended at its end (or when it was seen
resolved); the measured availability (selectors: the union of unplanned outages) then follows what the
monitoring tool saw, alongside the outages of major incidents and changes. Alerts set aside — flapping,
or suppressed in an approved change's window (that change's own planned outage covers the time) — open
none. Which severities mean "down" is `OUTAGE_SEVERITIES`.
"""

from __future__ import annotations

from typing import Any

from servitium.core import services as core_services

from .models import Outage

OUTAGE_SEVERITIES = frozenset({"critical"})


def _counts(event: Any) -> bool:
    return (
        event.service_id is not None
        and event.severity.lower() in OUTAGE_SEVERITIES
        and not event.flapping
        and event.action != "suppressed"
    )


def follow_alerts(events: list[Any]) -> None:
    """Open or end the outages of the batch's critical alerts (a sink of servitium.events.sinks)."""
    relevant = [e for e in events if _counts(e)]
    if not relevant:
        return
    open_of = {
        o.event_id: o
        for o in Outage.objects.filter(
            event_id__in=[e.pk for e in relevant], source=Outage.Source.MONITORING, end__isnull=True
        )
    }
    # An incident holds one outage per service (its major-incident outage, or an earlier alert's): a
    # further alert on the same service and incident still records its time, without the link.
    linked = set(
        Outage.objects.filter(
            incident_id__in={e.incident_id for e in relevant if e.incident_id is not None}
        ).values_list("service_id", "incident_id")
    )
    for event in relevant:
        outage = open_of.get(event.pk)
        if event.status == "firing" and outage is None:
            start = event.starts_at or event.last_seen
            incident_id = event.incident_id
            if (event.service_id, incident_id) in linked:
                incident_id = None
            elif incident_id is not None:
                linked.add((event.service_id, incident_id))
            core_services.record_create(
                model=Outage,
                data={},
                derived={
                    "service_id": event.service_id,
                    "event_id": event.pk,
                    "incident_id": incident_id,
                    "start": start,
                    "kind": Outage.Kind.UNPLANNED,
                    "source": Outage.Source.MONITORING,
                    "cause": f"{event.reference} {event.name}"[:2000],
                },
                actor=None,
            )
        elif event.status == "resolved" and outage is not None:
            end = event.ends_at or event.last_seen
            if end <= outage.start:
                end = event.last_seen
            if end > outage.start:
                core_services.record_update(instance=outage, data={}, derived={"end": end}, actor=None)
