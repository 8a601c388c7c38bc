"""Demo problems from the incident demo's tickets: one worked to a known error, one under investigation, one
resolved through a change six weeks ago; a known error from a supplier advisory; six recent incidents on one
hypervisor host, and what the nightly trend analysis proposes from the tickets (that cluster among them).

Idempotent: nothing is done when problems or known errors exist already.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from servitium.catalog.models import Service
from servitium.incidents import services as incident_services
from servitium.incidents.models import Incident
from servitium.parties.models import Person, Team

from . import services
from .jobs import propose_problems
from .models import KnownError, Problem


def _incidents(
    title: str, *, service: str = "", between: tuple | None = None, count: int = 6
) -> list[Incident]:
    incidents = Incident.objects.filter(title=title, kind=Incident.Kind.INCIDENT)
    if service:
        incidents = incidents.filter(service__name=service)
    if between is not None:
        incidents = incidents.filter(created__range=between)
    return list(incidents.order_by("created", "id")[:count])


def _walk(actor, problem: Problem, steps: list[tuple[str, dict]], now: dt.datetime | None = None) -> Problem:
    for name, data in steps:
        problem = services.problem_transition(
            actor=actor, instance=problem, transition=name, data=data, now=now
        )
    return problem


def load(actor=None) -> None:
    if Problem.objects.exists() or KnownError.objects.exists():
        return
    now = timezone.now()
    people = {p.name: p for p in Person.objects.filter(organization__kind="provider")}
    teams = {t.name: t for t in Team.objects.all()}

    mail = _incidents("Mail stuck in outbox")
    if mail:
        problem = services.problem_from_incidents(
            actor=actor,
            incidents=mail,
            data={
                "title": "Outbound mail queues up on the Hosted Email relay",
                "affected_ci_name": "mx-relay-01",
                "owner": people.get("Liam O'Connor"),
                "assignment_group": teams.get("Cloud Operations"),
            },
        )
        _walk(
            actor,
            problem,
            [
                ("investigate", {}),
                (
                    "record_root_cause",
                    {
                        "root_cause": "The relay's TLS session cache fills up after about 40,000 "
                        "connections; from then on it refuses new outbound sessions until it is restarted."
                    },
                ),
                (
                    "record_known_error",
                    {
                        "workaround": "Restart the postfix-relay service on mx-relay-01 and mx-relay-02 one "
                        "after the other (about 20 seconds each, no mail is lost). Queued mail leaves "
                        "within minutes."
                    },
                ),
            ],
        )

    lag = _incidents("Replication lag on primary")
    if lag:
        problem = services.problem_from_incidents(
            actor=actor,
            incidents=lag,
            data={
                "title": "Replication lag on Managed PostgreSQL primaries during nightly batch loads",
                "owner": people.get("Sofia Rossi"),
                "assignment_group": teams.get("Database Team"),
            },
        )
        _walk(actor, problem, [("investigate", {})])

    # From the generated history: slow responses of the web shops two months ago, resolved by a change.
    resolved_on = now - dt.timedelta(days=45)
    checkout = _incidents(
        "Slow response times",
        service="Web Application Hosting",
        between=(resolved_on - dt.timedelta(days=30), resolved_on - dt.timedelta(days=3)),
    )
    if checkout:
        problem = services.problem_from_incidents(
            actor=actor,
            incidents=checkout,
            data={
                "title": "Web shops slow down and answer 502 at peak load",
                "category": "performance",
                "owner": people.get("Liam O'Connor"),
                "assignment_group": teams.get("Cloud Operations"),
            },
        )
        _walk(
            actor,
            problem,
            [
                ("investigate", {}),
                (
                    "record_root_cause",
                    {
                        "root_cause": "The database proxy in front of the shop's PostgreSQL ran out of "
                        "pooled connections at peak load and answered 502 while waiting for one."
                    },
                ),
                (
                    "resolve",
                    {
                        "resolution": "Pool size raised from 50 to 200 and idle timeout lowered to 30 s; "
                        "load-tested at twice the busiest hour.",
                        "change_reference": "RFC-2026-031",
                    },
                ),
            ],
            now=resolved_on,
        )

    services.known_error_create(
        actor=actor,
        data={
            "title": "Backup agent 7.2 times out on volumes larger than 2 TB",
            "symptoms": "Nightly backup of large servers fails with 'snapshot timeout'; the job log shows "
            "the volume snapshot taking longer than 600 seconds.",
            "root_cause": "A defect in Keystone Backup agent 7.2.0 to 7.2.3 fixes the snapshot timeout at "
            "600 seconds whatever timeout is configured.",
            "workaround": "Split the backup job so that no single snapshot covers more than 2 TB, or keep "
            "the agent at 7.1.9 until 7.2.4 is released.",
            "service": Service.objects.filter(name="Backup and Restore").first(),
            "category": "software",
            "source": "Keystone Software advisory KS-2026-114",
        },
    )

    _hypervisor_cluster(actor, now)
    propose_problems.call_local(now=now)


def _hypervisor_cluster(actor, now: dt.datetime) -> None:
    """Six recent incidents on one hypervisor host, for the trend analysis to find."""
    service = Service.objects.filter(name="Virtual Compute").prefetch_related("customers").first()
    customers = list(service.customers.all()) if service else []
    if not customers:
        return
    titles = ["VM paused unexpectedly", "VM unresponsive after patching", "Console access denied"]
    for n in range(6):
        opened = now - dt.timedelta(days=10 - n * 1.5, hours=n)
        incident = incident_services.incident_create(
            actor=actor,
            now=opened,
            data={
                "title": titles[n % len(titles)],
                "service": service,
                "customer": customers[n % len(customers)],
                "channel": "monitoring",
                "category": "hardware",
                "affected_ci_name": "hv-fra-07",
                "impact": 2,
                "urgency": 2,
            },
        )
        Incident.objects.filter(pk=incident.pk).update(created=opened)
