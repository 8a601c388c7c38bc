"""Bulk generator of realistic ticket history: for demo data (a few thousand tickets over six months) and for
benchmarks (a million). It writes what the lifecycle would have written, in batches, without the per-ticket
services: incidents with their times, SLA clocks with business time measured on the agreement's calendar
(so results agree with the live clocks), and optionally one change-log entry per ticket.

Distributions: arrivals weighted to working hours and weekdays; impact and urgency mostly low; one ticket
in five a service request; response within minutes to hours and resolution within hours to days of
business time, longer for lower priorities, so that a small share of targets are missed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from servitium.agreements.models import ServiceLevelAgreement
from servitium.catalog.models import Service
from servitium.core.businesstime import ALWAYS_OPEN, CalendarHasNoHours, add_business_seconds
from servitium.core.changelog import record_many
from servitium.core.context import change_context
from servitium.core.references import format_reference, next_numbers
from servitium.core.sqlwrite import copy_rows, reserve_keys
from servitium.core.vocabulary import Metric
from servitium.parties.models import Person, Team

from .models import DEFAULT_MATRIX, Incident, PriorityRule, SlaClock

CATEGORIES = ["software", "hardware", "network", "access", "performance", "security"]
REQUEST_TITLES = ["New user account", "Access to shared folder", "Software installation", "Restore a file"]
INCIDENT_TITLES = [
    "Service unavailable",
    "Slow response times",
    "Login fails",
    "Error message on save",
    "Job did not run",
    "Disk space warning",
    "Connection drops",
]
CHANNELS = (["email", "portal", "phone", "monitoring", "api"], [35, 30, 15, 15, 5])
# Median business hours to resolve per priority (lognormal around it).
RESOLVE_MEDIAN_H = {1: 2.0, 2: 5.0, 3: 10.0, 4: 24.0, 5: 40.0}


@dataclass
class Target:
    seconds: int
    target_id: int


def _arrival(rng: random.Random, end: dt.datetime, days: int) -> dt.datetime:
    while True:
        t = end - dt.timedelta(seconds=rng.uniform(0, days * 86400))
        local = timezone.localtime(t)
        weight = (1.0 if local.weekday() < 5 else 0.15) * (1.0 if 8 <= local.hour < 18 else 0.2)
        if rng.random() < weight:
            return t


@contextlib.contextmanager
def keep_timestamps(*models):
    """Let bulk inserts keep the historical `created`/`updated` values we set (Django would otherwise stamp
    them with now). Only for single-threaded batch writers such as this generator and imports."""
    fields = [m._meta.get_field(name) for m in models for name in ("created", "updated")]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _opened(incident: Incident):
    return incident.created


class Generator:
    def __init__(self, *, seed: int = 20261125, end: dt.datetime | None = None) -> None:
        self.rng = random.Random(seed)
        self.end = end or timezone.now()
        self.matrix = dict(DEFAULT_MATRIX)
        self.matrix.update({(r.impact, r.urgency): r.priority for r in PriorityRule.objects.all()})
        self.pairs = [
            (s, c) for s in Service.objects.prefetch_related("customers") for c in s.customers.all()
        ]
        if not self.pairs:
            raise ValueError("No service has customers: load the demo data or record services first.")
        self.callers: dict[int, list[int]] = {}
        for pk, org in Person.objects.values_list("pk", "organization_id"):
            self.callers.setdefault(org, []).append(pk)
        self.teams = list(Team.objects.filter(organization__kind="provider").prefetch_related("members"))
        self.agreements = {}
        for agreement in (
            ServiceLevelAgreement.objects.filter(status=ServiceLevelAgreement.Status.AGREED)
            .prefetch_related("targets")
            .select_related("calendar")
        ):
            targets: dict[tuple[str, int | None], Target] = {}
            for t in agreement.targets.all():
                if t.metric in (Metric.RESPONSE_TIME, Metric.RESOLUTION_TIME):
                    targets[t.metric, t.priority] = Target(int(t.target_value), t.pk)
            spec = agreement.calendar.spec() if agreement.calendar_id else ALWAYS_OPEN
            self.agreements[agreement.customer_id, agreement.service_id] = (agreement, spec, targets)

    def _target(self, targets, metric: str, priority: int) -> Target | None:
        return targets.get((metric, priority)) or targets.get((metric, None))

    def one(self, reference: str) -> tuple[Incident, list[SlaClock]]:
        rng = self.rng
        service, customer = rng.choice(self.pairs)
        created = _arrival(rng, self.end, self.days)
        impact = rng.choices([1, 2, 3], [1, 3, 6])[0]
        urgency = rng.choices([1, 2, 3], [1, 3, 6])[0]
        priority = self.matrix[impact, urgency]
        request = rng.random() < 0.2
        team = rng.choice(self.teams) if self.teams else None
        members = list(team.members.all()) if team else []
        assignee = rng.choice(members) if members else None
        agreement = self.agreements.get((customer.pk, service.pk))
        spec = agreement[1] if agreement else ALWAYS_OPEN
        response_s = rng.expovariate(1 / 1800)
        resolve_s = 3600 * RESOLVE_MEDIAN_H[priority] * math.exp(rng.gauss(0, 0.8))
        try:
            responded = add_business_seconds(spec, created, response_s)
            resolved = add_business_seconds(spec, created, resolve_s)
        except CalendarHasNoHours:
            responded, resolved = (
                created + dt.timedelta(seconds=response_s),
                created + dt.timedelta(seconds=resolve_s),
            )
        closed = resolved + dt.timedelta(days=rng.uniform(1, 5))
        status = Incident.Status.CLOSED
        if closed > self.end:
            status = Incident.Status.RESOLVED
        if resolved > self.end:
            status, resolved, closed = Incident.Status.IN_PROGRESS, None, None
        if responded > self.end:
            status, responded = (Incident.Status.ASSIGNED if team else Incident.Status.NEW), None
        incident = Incident(
            reference=reference,
            kind=Incident.Kind.REQUEST if request else Incident.Kind.INCIDENT,
            title=rng.choice(REQUEST_TITLES if request else INCIDENT_TITLES),
            service=service,
            customer=customer,
            caller_id=rng.choice(self.callers.get(customer.pk) or [None]),
            channel=rng.choices(*CHANNELS)[0],
            category="request" if request else rng.choice(CATEGORIES),
            impact=impact,
            urgency=urgency,
            priority=priority,
            status=status,
            assignment_group=team,
            assignee=assignee,
            responded_at=responded,
            resolved_at=resolved,
            closed_at=closed if status == Incident.Status.CLOSED else None,
            resolution_code="fulfilled" if request else rng.choice(["fixed", "workaround", "no_fault_found"]),
            resolution_notes="Resolved." if resolved else "",
            created=created,
            updated=closed or resolved or created,
        )
        if not resolved:
            incident.resolution_code = ""
        clocks = []
        if agreement:
            for metric, stop, elapsed in (
                (Metric.RESPONSE_TIME, responded, response_s),
                (Metric.RESOLUTION_TIME, resolved, resolve_s),
            ):
                target = self._target(agreement[2], metric, priority)
                if target is None:
                    continue
                clocks.append(
                    SlaClock(
                        metric=metric,
                        target_id=target.target_id,
                        calendar=agreement[0].calendar,
                        target_s=target.seconds,
                        started_at=created,
                        segment_start=None if stop else created,
                        elapsed_before_s=round(elapsed, 3) if stop else 0.0,
                        stopped_at=stop,
                        met=(elapsed <= target.seconds) if stop else None,
                        warned=bool(stop and elapsed > 0.75 * target.seconds),
                        breached_notified=bool(stop and elapsed > target.seconds),
                        due_at=None if stop else add_business_seconds(spec, created, target.seconds),
                        created=created,
                        updated=stop or created,
                    )
                )
        # What the SLA checks would have done: warn, then escalate one level at the warning and one at breach.
        incident.escalation_level = max(
            [int(c.warned) + int(c.breached_notified) for c in clocks if c.stopped_at] or [0]
        )
        return incident, clocks

    def run(
        self,
        count: int,
        *,
        days: int = 180,
        batch: int = 2000,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Write `count` tickets spread over the last `days` days; returns how many were written."""
        self.days = days
        done = 0
        while done < count:
            size = min(batch, count - done)
            with transaction.atomic(), keep_timestamps(Incident, SlaClock):
                refs = [
                    format_reference(Incident.reference_prefix, n)
                    for n in next_numbers(Incident.reference_prefix, size)
                ]
                rows = [self.one(ref) for ref in refs]
                incidents = [i for i, _ in rows]
                if connection.vendor == "postgresql":
                    # COPY: a million tickets load in minutes instead of an hour of INSERTs.
                    for incident, pk in zip(incidents, reserve_keys(Incident, size), strict=True):
                        incident.pk = pk
                    copy_rows(Incident, incidents)
                else:
                    incidents = Incident.objects.bulk_create(incidents, batch_size=1000)
                clocks = []
                for incident, ticket_clocks in zip(incidents, (c for _, c in rows), strict=True):
                    for clock in ticket_clocks:
                        clock.incident_id = incident.pk
                        clocks.append(clock)
                if connection.vendor == "postgresql":
                    for clock, pk in zip(clocks, reserve_keys(SlaClock, len(clocks)), strict=True):
                        clock.pk = pk
                    copy_rows(SlaClock, clocks)
                else:
                    SlaClock.objects.bulk_create(clocks, batch_size=1000)
                # One change-log entry per ticket, dated when it was opened: generated history is
                # logged like imported history (field values left out: the rows are the evidence).
                with change_context(context="import"):
                    record_many(incidents, message="generated history", with_changes=False, timestamp=_opened)
            done += size
            if progress:
                progress(done)
        return done
