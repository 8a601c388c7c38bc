"""Writes of event management: intake of alerts (deduplicated by fingerprint), and what each one does to
incidents (opened, added to, suppressed, resolved, noted; see correlation.py for the decisions). Incidents
are only ever created, annotated and resolved through the incidents app's services.

One transaction per batch, and a constant number of statements for the alerts that open nothing: the
batch's known alerts read and locked in one query, its label values looked up in one (correlation.Locator),
its new alerts stored in one INSERT (writes.insert_new) with reference numbers drawn together, and every
change written in one UPDATE at the end (writes.update; earlier when a correlation read must see them).
Only alerts that may open an incident add the bounded reads of correlation.py, and notes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core import services as core_services
from servitium.core.references import format_reference, next_numbers
from servitium.incidents import services as incident_services
from servitium.incidents.models import Incident

from . import correlation, sinks, writes
from .models import (
    DEFAULT_CI_LABELS,
    DEFAULT_SERVICE_LABELS,
    DEFAULT_SEVERITIES,
    Event,
    EventRule,
    OnResolved,
)
from .payloads import Alert

HISTORY_KEPT = 20
NOTE_AGAIN = dt.timedelta(minutes=60)  # a repeating alert notes its incident at most once in this time
OPEN = correlation.OPEN_INCIDENT
A = Event.Action
FALLBACK_RULE = EventRule(
    name="built-in",
    ci_labels=DEFAULT_CI_LABELS,
    service_labels=DEFAULT_SERVICE_LABELS,
    severities=DEFAULT_SEVERITIES,
)


# --- the rules (settings) ---------------------------------------------------------------------------------


@transaction.atomic
def rule_create(*, actor: Any, data: dict[str, Any], m2m: dict | None = None, derived: dict | None = None):
    return core_services.record_create(model=EventRule, data=data, actor=actor, m2m=m2m, derived=derived)


@transaction.atomic
def rule_update(*, actor: Any, instance: EventRule, data: dict[str, Any], m2m: dict | None = None):
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)


@transaction.atomic
def rule_delete(*, actor: Any, instance: EventRule) -> None:
    core_services.record_delete(instance=instance, actor=actor)


def _rule_for(source: str, rules: list[EventRule]) -> EventRule:
    for rule in rules:
        if not rule.source or rule.source == source:
            return rule
    return FALLBACK_RULE


# --- intake -----------------------------------------------------------------------------------------------


def intake(*, actor: Any, alerts: list[Alert], now: dt.datetime | None = None) -> list[Event]:
    """Record a batch of alerts, all or none, and act on each; returns their events in the batch's order."""
    now = now or timezone.now()
    with transaction.atomic():
        rules = list(
            EventRule.objects.filter(active=True).select_related("customer").order_by("order", "name")
        )
        rule_of = {alert.source: _rule_for(alert.source, rules) for alert in alerts}
        # Only the alerts that might open an incident are read (if any) to decide whether to wait.
        maybe = [alert for alert in alerts if _may_open(alert, rule_of[alert.source], None)]
        seen = _seen(maybe) if maybe else {}
        if any(_may_open(alert, rule_of[alert.source], seen.get(_key(alert))) for alert in maybe):
            correlation.serialise()
        known = _lock_known(alerts)
        locator = correlation.Locator(
            [(rule_of[alert.source], alert.labels) for alert in alerts if _unlocated(known.get(_key(alert)))]
        )
        fresh = _store_new(alerts, known, rule_of, locator, now)
        batch = correlation.Batch(now)
        out = []
        for alert in alerts:
            key, rule = _key(alert), rule_of[alert.source]
            event = known[key]
            if fresh.pop(key, None) is not None:
                out.append(_act_new(event, rule, batch, now))
            else:
                out.append(_act_known(event, alert, rule, batch, locator, now))
        _flush(batch)
        sinks.feed(out)  # availability and capacity take what concerns them, after commit
        return out


def _store_new(
    alerts: list[Alert],
    known: dict[tuple[str, str], Event],
    rule_of: dict[str, EventRule],
    locator: correlation.Locator,
    now: dt.datetime,
) -> dict[tuple[str, str], Event]:
    """Insert the batch's new alerts together (the first of each fingerprint; a later one in the batch is
    a repeat); returns those this batch stored, and adds them and those a concurrent batch stored first
    (now read and locked) to `known`."""
    new: dict[tuple[str, str], Alert] = {}
    for alert in alerts:
        if _key(alert) not in known:
            new.setdefault(_key(alert), alert)
    if not new:
        return {}
    numbers = next_numbers(Event.reference_prefix, len(new))
    # In (source, fingerprint) order, so that concurrent batches wait for each other's new rows in one
    # order and never deadlock.
    events = [
        _new_event(alert, rule_of[alert.source], locator, format_reference(Event.reference_prefix, n), now)
        for alert, n in zip((new[k] for k in sorted(new)), numbers, strict=True)
    ]
    fresh = {_key(e): e for e in writes.insert_new(events)}
    known.update(fresh)
    lost = [alert for key, alert in new.items() if key not in fresh]
    if lost:  # another batch stored them first (and has committed: the insert waited for it)
        known.update(_lock_known(lost))
    return fresh


def _unlocated(event: Event | None) -> bool:
    """New, or known without a CI or a service: its labels are looked up (again)."""
    return event is None or (event.ci_id is None and event.service_id is None)


def _key(alert: Alert) -> tuple[str, str]:
    return alert.source, alert.fingerprint


def _seen(alerts: list[Alert]) -> dict[tuple[str, str], tuple[str, str | None]]:
    """The alerts already known, with their status and their incident's, read without locks (only to
    decide whether the batch must wait for correlation.serialise; the rows are locked after it)."""
    by_source: dict[str, set[str]] = {}
    for alert in alerts:
        by_source.setdefault(alert.source, set()).add(alert.fingerprint)
    seen = {}
    for source, fingerprints in by_source.items():
        rows = Event.objects.filter(source=source, fingerprint__in=fingerprints)
        for fingerprint, status, incident_status in rows.values_list(
            "fingerprint", "status", "incident__status"
        ):
            seen[(source, fingerprint)] = (status, incident_status)
    return seen


def _may_open(alert: Alert, rule: EventRule, seen: tuple[str, str | None] | None) -> bool:
    """Could this alert open an incident? Then its batch decides correlation alone (correlation.serialise):
    two batches deciding at once would each miss the other's new alert and open two incidents. A repeat of
    an alert whose incident is open only adds to it and does not wait."""
    if alert.status != Event.Status.FIRING:
        return False
    if seen is not None and seen[0] == Event.Status.FIRING and seen[1] in OPEN:
        return False
    severities = rule.severities or DEFAULT_SEVERITIES
    severity = alert.severity if alert.severity in severities else rule.default_severity
    return severities.get(severity, {}) is not None


def _lock_known(alerts: list[Alert]) -> dict[tuple[str, str], Event]:
    by_source: dict[str, set[str]] = {}
    for alert in alerts:
        by_source.setdefault(alert.source, set()).add(alert.fingerprint)
    known = {}
    for source, fingerprints in by_source.items():
        # In id order, so that concurrent batches lock shared rows in one order and never deadlock.
        rows = Event.objects.select_for_update().filter(source=source, fingerprint__in=fingerprints)
        known.update({(e.source, e.fingerprint): e for e in rows.order_by("pk")})
    # Their incidents (whose state decides what a repeat does) in one query, not one per event; few
    # events have one, so this is cheaper than joining them to every row.
    ids = {e.incident_id for e in known.values() if e.incident_id}
    if ids:
        incidents = Incident.objects.in_bulk(ids)
        for event in known.values():
            if event.incident_id:
                event.incident = incidents[event.incident_id]
    return known


def _new_event(
    alert: Alert, rule: EventRule, locator: correlation.Locator, reference: str, now: dt.datetime
) -> Event:
    ci, service = locator.locate(rule, alert.labels)
    return Event(
        reference=reference,
        source=alert.source,
        fingerprint=alert.fingerprint,
        name=alert.name,
        labels=alert.labels,
        annotations=alert.annotations,
        severity=alert.severity or rule.default_severity,
        status=alert.status,
        starts_at=alert.starts_at or now,
        ends_at=alert.ends_at if alert.status == Event.Status.RESOLVED else None,
        generator_url=alert.generator_url,
        last_seen=now,
        flap_window_start=now,
        ci=ci,
        service=service,
        rule=rule if rule.pk else None,
    )


def _flush(batch: correlation.Batch) -> None:
    """Write the changes of the batch's events not written yet, in one statement."""
    if batch.pending:
        writes.update(list(batch.pending.values()))
        batch.pending.clear()


def _record(event: Event, action: str, reason: str, now: dt.datetime, batch: correlation.Batch) -> Event:
    """Keep what was done on the event; written with the batch's other changes (_flush)."""
    event.action, event.reason = action, reason[:300]
    entry = {"at": now.isoformat(), "status": event.status, "action": action, "reason": event.reason}
    if event.incident_id:
        entry["incident"] = event.incident.reference
    event.history = [*event.history[-(HISTORY_KEPT - 1) :], entry]
    batch.pending[event.pk] = event
    return event


def _act_new(event: Event, rule: EventRule, batch: correlation.Batch, now: dt.datetime) -> Event:
    if event.status == Event.Status.RESOLVED:
        return _record(event, A.NOTED, _("Resolved before it was seen firing."), now, batch)
    return _fire(event, rule, batch, now)


def _act_known(
    event: Event,
    alert: Alert,
    rule: EventRule,
    batch: correlation.Batch,
    locator: correlation.Locator,
    now: dt.datetime,
) -> Event:
    changed = alert.status != event.status
    event.last_seen = now
    event.annotations = alert.annotations or event.annotations
    if changed:
        _count_change(event, rule, now)
        event.status = alert.status
    if alert.status == Event.Status.FIRING:
        event.occurrences += 1
        event.ends_at = None
        if alert.starts_at:
            event.starts_at = alert.starts_at if changed else event.starts_at
        if event.ci_id is None and event.service_id is None:
            event.ci, event.service = locator.locate(rule, event.labels)
        return _fire(event, rule, batch, now, again=True)
    event.ends_at = alert.ends_at or now
    if not changed:  # the resolution told again (a resent group): nothing more to do
        batch.pending[event.pk] = event
        return event
    return _resolve(event, rule, batch, now)


def _count_change(event: Event, rule: EventRule, now: dt.datetime) -> None:
    """Count state changes within the flapping window; past the threshold the alert flaps until a whole
    window passes without a change."""
    window = dt.timedelta(minutes=rule.flap_minutes)
    if event.flap_window_start is None or now - event.flap_window_start > window:
        event.flap_window_start, event.state_changes = now, 0
        event.flapping = False
    event.state_changes = min(event.state_changes + 1, 32767)
    if event.state_changes > rule.flap_changes:
        event.flapping = True


def _open_incident(event: Event) -> Incident | None:
    if event.incident_id and event.incident.status in OPEN:
        return event.incident
    return None


def _fire(
    event: Event, rule: EventRule, batch: correlation.Batch, now: dt.datetime, *, again: bool = False
) -> Event:
    incident = _open_incident(event)
    if incident is not None:
        # A repeat notes its occurrence on the incident, at most once in NOTE_AGAIN per alert: Alertmanager
        # resends a firing alert every repeat_interval, and a note each time buries the incident's notes.
        if again and (event.noted_at is None or now - event.noted_at >= NOTE_AGAIN):
            event.noted_at = now
            _note(
                incident,
                _("%(event)s fired again (occurrence %(n)d).")
                % {"event": _label(event), "n": event.occurrences},
            )
        return _record(event, A.ADDED, _("Fired again: added to the same incident."), now, batch)
    if event.flapping:
        return _record(
            event,
            A.SUPPRESSED,
            _("Flapping: %(n)d state changes within %(m)d minutes; no new incident.")
            % {"n": event.state_changes, "m": rule.flap_minutes},
            now,
            batch,
        )
    levels = _levels(event, rule)
    if levels is None:
        why = _("Severity %(s)s opens no incident.") % {"s": event.severity}
        return _record(event, A.NOTED, why, now, batch)
    if rule.suppress_in_changes:
        change = batch.change_for(event.ci_id, event.service_id)
        if change is not None:
            event.change = change
            return _record(
                event,
                A.SUPPRESSED,
                _("During the implementation window of approved change %(change)s.")
                % {"change": change.reference},
                now,
                batch,
            )
    _flush(batch)  # correlation reads the events: the batch's earlier ones as they are now
    found = correlation.related_incident(event, rule, now)
    if found is not None:
        incident, why = found
        event.incident = incident
        _note(incident, _("%(event)s joined this incident: %(why)s") % {"event": _label(event), "why": why})
        return _record(event, A.ADDED, why, now, batch)
    incident = _raise(event, rule, levels)
    if incident is None:
        return _record(event, A.NOTED, _("No customer to raise an incident for."), now, batch)
    event.incident = incident
    return _record(event, A.OPENED, _("Opened %(ref)s.") % {"ref": incident.reference}, now, batch)


def _resolve(event: Event, rule: EventRule, batch: correlation.Batch, now: dt.datetime) -> Event:
    incident = _open_incident(event)
    if incident is None:
        return _record(event, A.NOTED, _("Resolved; no open incident."), now, batch)
    if event.flapping:
        _note(
            incident, _("%(event)s resolved (flapping: the incident stays open).") % {"event": _label(event)}
        )
        return _record(event, A.NOTED, _("Flapping: the incident is not resolved."), now, batch)
    batch.pending[event.pk] = event
    _flush(batch)  # its resolution (and the batch's earlier ones) count in the question below
    still = Event.objects.filter(incident=incident, status=Event.Status.FIRING).exclude(pk=event.pk)
    if rule.on_resolved != OnResolved.RESOLVE or still.exists():
        why = _("Other alerts of the incident still fire.") if rule.on_resolved == OnResolved.RESOLVE else ""
        _note(incident, " ".join(filter(None, [_("%(event)s resolved.") % {"event": _label(event)}, why])))
        return _record(event, A.NOTED, why or _("Resolved; the rule only notes it."), now, batch)
    notes = _("Monitoring reports %(event)s resolved at %(when)s.") % {
        "event": _label(event),
        "when": timezone.localtime(event.ends_at or now).strftime("%Y-%m-%d %H:%M"),
    }
    event.incident = incident_services.incident_transition(
        actor=None,
        instance=incident,
        transition="resolve",
        note=notes,
        data={"resolution_code": "monitoring_cleared", "resolution_notes": notes},
        now=now,
    )
    return _record(event, A.RESOLVED, _("Resolved %(ref)s.") % {"ref": incident.reference}, now, batch)


def _levels(event: Event, rule: EventRule) -> dict[str, int] | None:
    severities = rule.severities or DEFAULT_SEVERITIES
    if event.severity in severities:
        return severities[event.severity]
    return severities.get(rule.default_severity, {"impact": 2, "urgency": 2})


def _label(event: Event) -> str:
    where = event.ci.name if event.ci_id else (event.labels.get("instance") or event.labels.get("host") or "")
    name = event.name or event.fingerprint[:12]
    return f"{event.reference} {name}" + (f" on {where}" if where else "")


def _note(incident: Incident, body: str) -> None:
    core_services.comment_store(
        target=incident, body=body, visibility="internal", author=None, actor=None, author_name="Monitoring"
    )


def _raise(event: Event, rule: EventRule, levels: dict[str, int]) -> Incident | None:
    customer = correlation.customer_for(event, rule)
    if customer is None:
        return None
    summary = event.annotations.get("summary") or event.annotations.get("description") or ""
    title = " ".join(filter(None, [f"[{event.severity}]" if event.severity else "", _label(event)]))
    description = event.annotations.get("description", "")
    lines = [summary] + ([description] if description and description != summary else [])
    lines += ["", _("Labels:")] + [f"  {k}={v}" for k, v in sorted(event.labels.items())]
    if event.generator_url:
        lines += ["", event.generator_url]
    data: dict[str, Any] = {
        "title": (f"{title}: {summary}" if summary else title)[:250],
        "description": "\n".join(lines).strip()[:10000],
        "customer": customer,
        "service": event.service,
        "channel": Incident.Channel.MONITORING,
        "category": "monitoring",
        "impact": levels["impact"],
        "urgency": levels["urgency"],
    }
    if event.ci_id:
        data["affected_ci"] = event.ci
    else:
        data["affected_ci_name"] = (event.labels.get("instance") or event.labels.get("host") or "")[:200]
    if rule.assignment_group_id:
        data["assignment_group"] = rule.assignment_group
    return incident_services.incident_create(actor=None, data={}, derived=data)
