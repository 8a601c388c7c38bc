"""The decisions behind an event: which CI and service its labels name, whose incident it is, whether an
approved change's window covers it, and which open incident it joins (ISO/IEC 20000-1:2018 8.6.1; the
configuration information of 8.2.6 tells which alerts share a cause).

Every read is bounded: one indexed lookup of a batch's label values (Locator); correlation reads only the
events seen within the rule's window on the CIs related to the event's (index events_ci_idx /
events_service_idx), and the walk of the CMDB is the CMDB's own single recursive query.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils.translation import gettext as _

from servitium.catalog.models import Service
from servitium.changes.models import Change
from servitium.cmdb.models import CIRelationship, ConfigurationItem
from servitium.cmdb.selectors import walk
from servitium.incidents.models import Incident
from servitium.parties.models import Organization

from .models import Event, EventRule

OPEN_INCIDENT = tuple(s for s in Incident.Status.values if s not in ("resolved", "closed"))
IN_WINDOW = (Change.Status.APPROVED, Change.Status.IMPLEMENTING)
MAX_RELATED = 2000  # CIs named in one correlation query; a walk reaching more is cut
SERVICE_CIS = 20  # CIs of a service that an event naming only the service is related through
HOSTED = (CIRelationship.Kind.RUNS_ON, CIRelationship.Kind.PART_OF)  # "on the same host"


def _names(value: str) -> list[str]:
    """A label value as a CI name may spell it: as given, without a port, the short host name."""
    found = [value]
    host = value.rsplit(":", 1)[0] if value.count(":") == 1 else value
    found += [host, host.split(".", 1)[0]]
    return list(dict.fromkeys(n for n in found if n))


class Locator:
    """The CIs and services the labels of a batch's alerts may name, read in one query each (not one per
    alert and label tried)."""

    def __init__(self, pairs: list[tuple[EventRule, dict[str, str]]]) -> None:
        ci_names: set[str] = set()
        service_names: set[str] = set()
        for rule, labels in pairs:
            ci_names.update(n for label in rule.ci_labels or () for n in _names(labels.get(label) or ""))
            service_names.update(labels[label] for label in rule.service_labels or () if labels.get(label))
        self.cis: dict[str, ConfigurationItem] = {}
        self.services: dict[str, Service] = {}
        if ci_names:
            cis = ConfigurationItem.objects.filter(name__in=ci_names).exclude(
                status=ConfigurationItem.Status.RETIRED
            )
            for ci in cis.select_related("service").order_by("-id"):  # the lowest id of a name wins
                self.cis[ci.name] = ci
        if service_names:
            for service in Service.objects.filter(name__in=service_names).order_by("-id"):
                self.services[service.name] = service

    def locate(
        self, rule: EventRule, labels: dict[str, str]
    ) -> tuple[ConfigurationItem | None, Service | None]:
        """The CI and the service the labels name, by the rule's label lists (the first label that names
        a known one wins); the CI's own service when no label names one."""
        ci = None
        for name in rule.ci_labels or ():
            found = [self.cis[n] for n in _names(labels.get(name) or "") if n in self.cis]
            if found:
                ci = min(found, key=lambda c: c.pk)
                break
        service = None
        for name in rule.service_labels or ():
            value = labels.get(name)
            if value and value in self.services:
                service = self.services[value]
                break
        if service is None and ci is not None and ci.service_id:
            service = ci.service
        return ci, service


def locate(rule: EventRule, labels: dict[str, str]) -> tuple[ConfigurationItem | None, Service | None]:
    """The CI and the service one alert's labels name (see Locator)."""
    return Locator([(rule, labels)]).locate(rule, labels)


def customer_for(event: Event, rule: EventRule) -> Organization | None:
    if rule.customer_id:
        return rule.customer
    if event.service_id:
        first = event.service.customers.order_by("name").first()
        if first is not None:
            return first
    if event.ci_id:
        first = event.ci.customers.order_by("name").first()
        if first is not None:
            return first
    return Organization.objects.filter(kind="internal").order_by("name").first()


SERIAL_KEY = 0x5E7E_0022  # the advisory lock of correlation decisions (PostgreSQL)


def serialise() -> None:
    """Let one transaction at a time decide which incident alerts join, until it commits: a batch that may
    open an incident waits here, and then sees what the batch before it stored. (SQLite runs one writer
    at a time anyway.) Repeats of alerts that open nothing never wait."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SERIAL_KEY])


def _related_cis(event: Event) -> set[int]:
    starts = [event.ci_id] if event.ci_id else []
    if not starts and event.service_id:
        starts = list(
            ConfigurationItem.objects.filter(service_id=event.service_id).values_list("pk", flat=True)[
                :SERVICE_CIS
            ]
        )
    related: set[int] = set(starts)
    for start in starts:
        # What it runs on (a failed host explains its applications' alerts) and what runs on it.
        related.update(walk(start, upstream=True))
        related.update(walk(start, upstream=False))
    # And what runs on (or is part of) the same host: two applications of one host alerting together most
    # likely share its trouble, whichever of the three alerts first. One hop only, both ways indexed.
    hosts = CIRelationship.objects.filter(source_id__in=starts, kind__in=HOSTED).values("target_id")
    neighbours = CIRelationship.objects.filter(target_id__in=hosts, kind__in=HOSTED)
    related.update(neighbours.values_list("source_id", flat=True)[:MAX_RELATED])
    related.discard(event.ci_id)
    return related


def related_incident(event: Event, rule: EventRule, now: dt.datetime) -> tuple[Incident, str] | None:
    """The open incident a firing event joins, and why: an alert within the window on the same CI, on a CI
    related to it in the CMDB (either way), or on the same service."""
    since = now - dt.timedelta(minutes=rule.correlation_minutes)
    recent = (
        Event.objects.filter(last_seen__gte=since, incident__status__in=OPEN_INCIDENT)
        .exclude(pk=event.pk)
        .select_related("incident", "ci")
        .order_by("-last_seen", "-id")
    )
    if event.ci_id:
        hit = recent.filter(ci_id=event.ci_id).first()
        if hit is not None:
            return hit.incident, _("another alert on the same CI (%(event)s).") % {"event": hit.reference}
    related = _related_cis(event)
    if related:
        hit = recent.filter(ci_id__in=sorted(related)[:MAX_RELATED]).first()
        if hit is not None:
            return hit.incident, _("an alert on %(ci)s, related in the CMDB (%(event)s).") % {
                "ci": hit.ci.name,
                "event": hit.reference,
            }
    if event.service_id:
        hit = recent.filter(service_id=event.service_id).first()
        if hit is not None:
            return hit.incident, _("another alert on the same service (%(event)s).") % {
                "event": hit.reference
            }
    return None


class Batch:
    """What one intake batch reads once: the approved changes whose window is open now, with the CIs and
    services they affect; and the events whose changes are not written yet (services writes them
    together, and before any read that must see them)."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        self.pending: dict[int, Event] = {}
        self._changes: dict[int, Change] | None = None
        self._cis: dict[int, set[int]] = {}
        self._services: dict[int, set[int]] = {}

    def _load(self) -> dict[int, Change]:
        if self._changes is None:
            changes = Change.objects.filter(
                status__in=IN_WINDOW, planned_start__lte=self.now, planned_end__gte=self.now
            ).order_by("planned_start", "id")
            self._changes = {c.pk: c for c in changes}
            if self._changes:
                cis = Change.affected_cis.through.objects.filter(change_id__in=self._changes)
                for change_id, ci_id in cis.values_list("change_id", "configurationitem_id"):
                    self._cis.setdefault(ci_id, set()).add(change_id)
                services = Change.affected_services.through.objects.filter(change_id__in=self._changes)
                for change_id, service_id in services.values_list("change_id", "service_id"):
                    self._services.setdefault(service_id, set()).add(change_id)
        return self._changes

    def change_for(self, ci_id: int | None, service_id: int | None) -> Change | None:
        """The approved change in its window that covers the CI (or what the CI runs on) or the service."""
        changes = self._load()
        if not changes:
            return None
        found: set[int] = set(self._services.get(service_id, ())) if service_id else set()
        if ci_id:
            for ci in [ci_id, *walk(ci_id, upstream=True)]:
                found |= self._cis.get(ci, set())
        if not found:
            return None
        return min((changes[c] for c in found), key=lambda c: (c.planned_start, c.pk))
