"""Demo incidents and service requests over the last weeks, worked through their lifecycle with SLA clocks.

Times are historical: clocks run on the real instants, and the records' creation times are set back to when
the ticket came in (as an import of history does).
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from servitium.catalog.models import Service
from servitium.parties.models import Person, Team

from . import services
from .models import Incident

TITLES = {
    "Hosted Email": ["Mail stuck in outbox", "Calendar invites not delivered", "Spam filter holds invoices"],
    "Virtual Compute": ["VM unresponsive after patching", "Cannot resize VM", "Console access denied"],
    "Managed PostgreSQL": [
        "Replication lag on primary",
        "Connection limit reached",
        "Slow queries after upgrade",
    ],
    "Backup and Restore": [
        "Nightly backup failed",
        "Restore request for deleted folder",
        "Backup report missing",
    ],
    "Web Application Hosting": [
        "Shop returns 502 at checkout",
        "Certificate expiring warning",
        "Deploy pipeline stuck",
    ],
    "Identity and Access": ["User locked out", "SSO login loop", "MFA device reset"],
    "Service Desk": ["Request for new user account", "Access to shared mailbox", "Laptop replacement"],
}
CATEGORIES = ["software", "hardware", "network", "access", "performance", "request"]


def load(*, actor, count: int = 150, days: int = 60, seed: int = 20261124) -> None:
    """Create `count` tickets spread over the last `days` days (idempotent: skipped if tickets exist)."""
    if Incident.objects.exists():
        return
    rng = random.Random(seed)
    services_ = [
        s
        for s in Service.objects.filter(name__in=TITLES).prefetch_related("customers")
        if s.customers.exists()
    ]
    desk = Team.objects.filter(name="Service Desk").prefetch_related("members").first()
    agents = list(desk.members.all()) if desk else []
    callers = {}
    for person in Person.objects.filter(organization__kind="customer"):
        callers.setdefault(person.organization_id, []).append(person)
    now = timezone.now()
    for _ in range(count):
        service = rng.choice(services_)
        customer = rng.choice(list(service.customers.all()))
        opened = now - dt.timedelta(days=rng.uniform(0, days), hours=rng.uniform(0, 10))
        title = rng.choice(TITLES[service.name])
        kind = (
            Incident.Kind.REQUEST
            if title.startswith(("Request", "Access", "Laptop", "Restore request"))
            else Incident.Kind.INCIDENT
        )
        incident = services.incident_create(
            actor=actor,
            now=opened,
            data={
                "kind": kind,
                "title": title,
                "service": service,
                "customer": customer,
                "caller": rng.choice(callers.get(customer.pk, [None])),
                "channel": rng.choice(["email", "portal", "phone", "monitoring"]),
                "category": "request" if kind == Incident.Kind.REQUEST else rng.choice(CATEGORIES[:-1]),
                "impact": rng.choices([1, 2, 3], [1, 3, 6])[0],
                "urgency": rng.choices([1, 2, 3], [1, 3, 6])[0],
                "assignment_group": desk,
            },
        )
        Incident.objects.filter(pk=incident.pk).update(created=opened)
        _work(rng, incident, opened, now, agents)


def _work(rng: random.Random, incident: Incident, opened: dt.datetime, now: dt.datetime, agents) -> None:
    """Walk a ticket through a plausible history; recent ones stay open."""
    t = opened + dt.timedelta(minutes=rng.uniform(5, 180))
    if t >= now:
        return
    incident = services.incident_update(
        actor=None, instance=incident, now=t, data={"assignee": rng.choice(agents)} if agents else {}
    )
    incident = services.incident_transition(actor=None, instance=incident, transition="start_work", now=t)
    if rng.random() < 0.25:
        t += dt.timedelta(hours=rng.uniform(0.5, 6))
        if t >= now:
            return
        incident = services.incident_transition(
            actor=None, instance=incident, transition="await_customer", now=t
        )
        t += dt.timedelta(hours=rng.uniform(2, 48))
        if t >= now:
            return
        incident = services.incident_transition(actor=None, instance=incident, transition="resume", now=t)
    t += dt.timedelta(hours=rng.expovariate(1 / 10))
    if t >= now:
        return
    incident = services.incident_transition(
        actor=None,
        instance=incident,
        transition="resolve",
        now=t,
        data={
            "resolution_code": rng.choice(["fixed", "workaround", "no_fault_found", "fulfilled"]),
            "resolution_notes": "Resolved by the service desk.",
        },
    )
    t += dt.timedelta(days=rng.uniform(1, 5))
    if t < now:
        services.incident_transition(actor=None, instance=incident, transition="close", now=t)
