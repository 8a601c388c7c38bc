"""Demo records of availability and continuity for Nimbus Cloud Services: a year of outages on the live
services (short interruptions most months, a few long ones that miss the 99.9 % target), the outages of
the demo's major incidents and implemented changes (by `outages_sync`), availability requirements and an
approved provider-wide availability plan, continuity requirements, two continuity plans, two tests of the
first (one failed, with findings and actions, which opened a nonconformity), an invocation; the
availability plan was revised once, under an approved change.

Deliberate gaps (they show as "not met" or "partly met" in `servitium assess`):
- the identity plan was approved over a year ago and never tested
  -> continuity.plans_tested_on_time (2018 8.7.2.s5; 2011 6.3.3.s3);
- "Hosted Email" has continuity requirements but no plan covers it
  -> continuity.plans_cover_requirements (2018 8.7.2.s3; 2011 6.3.2.s1);
- last month's long outage of "Identity and Access" is not investigated yet
  -> availability.unplanned_outages_investigated (2018 8.7.1.s4; 2011 6.3.3.s2).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from servitium.catalog.models import Service
from servitium.core import services as core_services

from . import services
from .models import (
    AvailabilityPlan,
    AvailabilityRequirement,
    ContinuityPlan,
    ContinuityRequirement,
    Outage,
)

BERLIN = ZoneInfo("Europe/Berlin")
# The months (counted back from last month, 0 = last month) in which a service had a long outage.
LONG_OUTAGES = {"Identity and Access": (0, 7), "Virtual Compute": (4,), "Block and Object Storage": (9,)}
CAUSES = (
    "Monitoring: health check failed on the load balancer pool; recovered on its own.",
    "Monitoring: certificate renewal restarted the front ends.",
    "Monitoring: storage latency above 2 s for a few minutes.",
)
LONG_CAUSES = {
    "Identity and Access": "Directory replication stopped after a schema update; sign-ins failed.",
    "Virtual Compute": "Hypervisor cluster lost its storage path after a switch firmware fault.",
    "Block and Object Storage": "A metadata database ran out of disk space.",
}

RTO = {  # minutes: recovery time, recovery point, priority
    "Data Centre Facilities": (240, 0, 1),
    "Network Connectivity": (120, 0, 1),
    "Virtual Compute": (240, 15, 1),
    "Identity and Access": (120, 5, 1),
    "Block and Object Storage": (480, 60, 2),
    "Hosted Email": (480, 30, 2),
}


def load(*, actor: Any) -> None:
    """Create the demo records (idempotent)."""
    live = {s.name: s for s in Service.objects.filter(status=Service.Status.LIVE)}
    if not live:
        return
    with transaction.atomic():
        services.outages_sync(actor=actor)
        if not Outage.objects.filter(source=Outage.Source.MANUAL).exists():
            _outages(actor, live)
        _requirements(actor, live)
        _availability_plan(actor)
        _continuity(actor, live)
        _sla_figures()


def _sla_figures() -> None:
    """Measure again the SLA availability targets of the months the demo already measured (the SMS demo
    runs the performance job before these outages exist), as the nightly job would have."""
    from servitium.agreements.models import TargetPerformance

    from .panels import availability_measure

    rows = TargetPerformance.objects.filter(target__metric="availability").select_related(
        "target__agreement__calendar"
    )
    for row in rows:
        found = availability_measure(row.target, row.period_start, row.period_end)
        value = None if found is None else found.value
        derived = {
            "measured_value": value,
            "met": row.target.is_met(value),
            "samples": 0 if found is None else found.samples,
            "note": "" if found is None else found.note[:300],
        }
        if any(getattr(row, k) != v for k, v in derived.items()):
            core_services.record_update(instance=row, data={}, derived=derived, actor=None)


def _first_weekday(month: dt.date, offset: int) -> dt.date:
    day = month.replace(day=2)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    day += dt.timedelta(days=offset)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _outages(actor: Any, live: dict[str, Service]) -> None:
    today = timezone.localdate()
    month = today.replace(day=1)
    months = []
    for _ in range(12):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        months.append(month)
    rows = []
    for index, (name, service) in enumerate(sorted(live.items())):
        for back, first in enumerate(months):
            day = _first_weekday(first, (index + back) % 10)
            start = dt.datetime.combine(day, dt.time(10, 15), BERLIN)
            long = back in LONG_OUTAGES.get(name, ())
            if not long and (index + back) % 3 == 0:
                continue  # a month without interruptions
            minutes = 95 + 20 * index if long else 4 + (index + back) % 5
            rows.append(
                Outage(
                    service=service,
                    start=start,
                    end=start + dt.timedelta(minutes=minutes),
                    kind=Outage.Kind.UNPLANNED,
                    source=Outage.Source.MANUAL,
                    cause=LONG_CAUSES[name] if long else CAUSES[(index + back) % len(CAUSES)],
                    investigated=not (long and back == 0 and name == "Identity and Access"),
                )
            )
        if name in ("Virtual Compute", "Block and Object Storage"):  # the monthly Sunday maintenance window
            for first in months:
                sunday = first + dt.timedelta(days=(6 - first.weekday()) % 7)
                start = dt.datetime.combine(sunday, dt.time(2, 0), BERLIN)
                rows.append(
                    Outage(
                        service=service,
                        start=start,
                        end=start + dt.timedelta(minutes=45),
                        kind=Outage.Kind.PLANNED,
                        source=Outage.Source.MANUAL,
                        cause="Monthly maintenance window (patching), announced five days ahead.",
                        investigated=True,
                    )
                )
    core_services.record_bulk_create(model=Outage, instances=rows, actor=actor, message="Demo outages")


# service, maintenance allowance, requirement, access rights, response times (2011 6.3.1 a-c). Identity
# and Access states no response times: a deliberate gap.
REQUIREMENTS = (
    (
        "Virtual Compute",
        60,
        "Virtual machines reachable and manageable around the clock; the Sunday maintenance window "
        "(up to one hour a month) is agreed and not counted.",
        "Customer administrators through the provisioning portal with single sign-on; their own users over "
        "the customer's network links only.",
        "The provisioning portal answers within 2 seconds for 95 % of requests; a new VM within 5 minutes.",
    ),
    (
        "Identity and Access",
        0,
        "Sign-in and directory look-ups work during business hours.",
        "Every user of a customer tenant, from anywhere, with multi-factor sign-in; administrators from the "
        "customer's own addresses.",
        "",
    ),
    (
        "Block and Object Storage",
        60,
        "Reads and writes succeed; maintenance up to one hour a month is agreed.",
        "Applications of the customer's tenant with their own access keys; no public buckets unless asked.",
        "Object reads start within 100 ms for 99 % of requests inside the data centre.",
    ),
)


def _requirements(actor: Any, live: dict[str, Service]) -> None:
    for name, allowance, text, access, response in REQUIREMENTS:
        service = live.get(name)
        if service is None or AvailabilityRequirement.objects.filter(service=service).exists():
            continue
        core_services.record_create(
            model=AvailabilityRequirement,
            data={
                "service": service,
                "maintenance_allowance_minutes": allowance,
                "requirement": text,
                "access_rights": access,
                "response_times": response,
            },
            actor=actor,
        )


def _availability_plan(actor: Any) -> None:
    title = "Nimbus availability plan"
    if AvailabilityPlan.objects.filter(title=title).exists():
        return
    plan = services.availability_plan_create(
        actor=actor,
        data={
            "title": title,
            "requirements_and_targets": (
                "99.9 % per month for every customer SLA (99.5 % for internal agreements), measured on the "
                "agreed service hours; maintenance within the agreed windows is not counted."
            ),
            "measures": (
                "Two data centres (Frankfurt, Dublin); redundant network paths; monitoring of every service "
                "end to end every minute; patching in the Sunday 02:00-04:00 window."
            ),
            "risks": "Single supplier for both data centres; directory replication across sites.",
            "review_interval_days": 365,
        },
    )
    plan = services.availability_plan_transition(actor=None, instance=plan, transition="approve")
    # Revised when Dublin became the second site, under the change that built it (2011 6.3.2.s2).
    from servitium.changes.models import Change
    from servitium.changes.revisions import AUTHORISED

    rfc = Change.objects.filter(status__in=AUTHORISED).order_by("pk").first()
    if rfc is not None:
        plan = services.availability_plan_transition(actor=actor, instance=plan, transition="revise")
        plan = services.availability_plan_update(actor=actor, instance=plan, data={"change": rfc})
        services.availability_plan_transition(actor=None, instance=plan, transition="approve")


def _continuity(actor: Any, live: dict[str, Service]) -> None:
    for name, (rto, rpo, priority) in RTO.items():
        service = live.get(name)
        if service is None or ContinuityRequirement.objects.filter(service=service).exists():
            continue
        core_services.record_create(
            model=ContinuityRequirement,
            data={
                "service": service,
                "rto_minutes": rto,
                "rpo_minutes": rpo,
                "priority": priority,
                "availability_when_invoked": "99.0",
                "requirement": f"Agreed in the service reviews: recovery within {rto} minutes.",
            },
            actor=actor,
        )
    if ContinuityPlan.objects.exists():
        return
    today = timezone.localdate()
    now = timezone.now()
    frankfurt = services.continuity_plan_create(
        actor=actor,
        data={
            "title": "Loss of the Frankfurt data centre",
            "invocation_criteria": "Frankfurt site unusable, or expected to be, for more than one hour.",
            "invocation_steps": (
                "1. Duty manager declares the invocation and opens a major incident.\n"
                "2. Network team moves customer traffic to Dublin.\n"
                "3. Compute team starts the replicated virtual machines in Dublin by priority.\n"
                "4. Service desk tells customers every hour."
            ),
            "contacts": "Duty manager +49 69 5550 100; Dublin site lead +353 1 555 0200; Stratos NOC.",
            "recovery_requirements": "Priority 1 services within their RTO, losing no more than their RPO.",
            "return_to_normal": "Fail back to Frankfurt in a planned change, with customers' consent.",
            "location": "Printed in both sites' safes; copy in the Dublin document store.",
            "review_interval_days": 365,
            "test_interval_days": 180,
        },
        m2m={
            "services": [
                live[n]
                for n in ("Data Centre Facilities", "Network Connectivity", "Virtual Compute")
                if n in live
            ]
        },
    )
    frankfurt = services.continuity_plan_transition(actor=None, instance=frankfurt, transition="approve")
    core_services.record_update(
        instance=frankfurt,
        data={},
        derived={
            "approved_at": now - dt.timedelta(days=300),
            "last_reviewed": today - dt.timedelta(days=300),
        },
        actor=actor,
    )
    services.invocation_create(
        actor=actor,
        data={
            "plan": frankfurt,
            "started_at": now - dt.timedelta(days=250),
            "ended_at": now - dt.timedelta(days=250, hours=-6),
            "reason": "Cooling failure in hall B; temperature above limits.",
            "outcome": "Priority 1 services ran from Dublin for six hours; no data lost.",
        },
    )
    services.continuity_test_create(
        actor=actor,
        data={
            "plan": frankfurt,
            "tested_on": today - dt.timedelta(days=200),
            "scenario": "Full loss of Frankfurt on a working day (simulation with live failover of compute).",
            "result": "failed",
            "recovery_minutes": 420,
            "findings": "DNS changes were manual and took three hours; the RTO of 240 minutes was missed.",
            "actions": [
                {
                    "description": "Automate DNS failover",
                    "owner": "Kenji Tanaka",
                    "due": str(today - dt.timedelta(days=120)),
                    "done": True,
                },
                {
                    "description": "Add the DNS step to the runbook",
                    "owner": "Ewa Nowak",
                    "due": str(today - dt.timedelta(days=150)),
                    "done": True,
                },
            ],
        },
    )
    services.continuity_plan_review(
        actor=actor,
        instance=ContinuityPlan.objects.get(pk=frankfurt.pk),
        note="DNS step automated.",
        today=today - dt.timedelta(days=190),
    )
    services.continuity_test_create(
        actor=actor,
        data={
            "plan": frankfurt,
            "tested_on": today - dt.timedelta(days=60),
            "scenario": "Repeat of the site-loss test after DNS automation.",
            "result": "passed",
            "recovery_minutes": 150,
            "findings": "Recovered within the RTO.",
        },
    )
    services.continuity_plan_review(
        actor=actor,
        instance=ContinuityPlan.objects.get(pk=frankfurt.pk),
        note="Test passed.",
        today=today - dt.timedelta(days=55),
    )
    identity = services.continuity_plan_create(
        actor=actor,
        data={
            "title": "Recovery of the identity service",
            "invocation_criteria": "Sign-in unavailable for more than 30 minutes.",
            "invocation_steps": "Promote the Dublin directory replica; point the sign-in front ends at it.",
            "contacts": "Identity team lead Liam O'Connor +49 69 5550 140.",
            "recovery_requirements": "Within 120 minutes; no more than 5 minutes of directory changes lost.",
            "return_to_normal": "Rebuild the Frankfurt replica and switch back in a planned change.",
            "location": "Dublin document store.",
            "review_interval_days": 365,
            "test_interval_days": 365,
        },
        m2m={"services": [live["Identity and Access"]] if "Identity and Access" in live else []},
    )
    identity = services.continuity_plan_transition(actor=None, instance=identity, transition="approve")
    core_services.record_update(
        instance=identity,
        data={},
        derived={
            "approved_at": now - dt.timedelta(days=400),
            "last_reviewed": today - dt.timedelta(days=100),
        },
        actor=actor,
    )
