"""Fixtures of the availability tests: availability staff, a service with an agreed 99.5 % availability
target on a Berlin office-hours calendar (Mon-Fri 09:00-17:00, no holidays), a major incident builder and
a continuity plan builder."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from servitium.agreements import services as sla_services
from servitium.availability import services
from servitium.core.models import ServiceHoursCalendar
from servitium.incidents import major
from servitium.incidents import services as incident_services
from servitium.incidents.models import Incident
from tests import factories

BERLIN = ZoneInfo("Europe/Berlin")


def office_calendar(name: str = "Office hours Berlin") -> ServiceHoursCalendar:
    return ServiceHoursCalendar.objects.create(
        name=name,
        time_zone="Europe/Berlin",
        weekly_hours={d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    )


@pytest.fixture
def staff(ctx):
    return SimpleNamespace(
        manager=factories.user("avm", ctx.provider, ["availability-manager"]),
        agent=factories.user("ava", ctx.provider, ["availability-agent"]),
        other=factories.user("avm2", ctx.provider, ["availability-manager"]),
    )


@pytest.fixture
def measured(ctx):
    """Email for customer A: agreed SLA with an availability target of 99.5 % on office hours."""
    calendar = office_calendar()
    service = factories.service("Email", customers=[ctx.org_a])
    agreement = sla_services.agreement_create(
        actor=None,
        data={
            "customer": ctx.org_a,
            "service": service,
            "title": "Email SLA",
            "calendar": calendar,
            "valid_from": dt.date(2026, 1, 1),
            "workload": {"peak_periods": ["month end"]},
            "exceptions": [{"kind": "planned_maintenance", "description": "Announced 5 days ahead"}],
        },
    )
    sla_services.target_create(
        actor=None, data={"agreement": agreement, "metric": "availability", "target_value": "99.5"}
    )
    agreement = sla_services.agreement_transition(actor=None, instance=agreement, transition="agree")
    return SimpleNamespace(service=service, calendar=calendar, agreement=agreement)


def major_incident(ctx, service, start: dt.datetime, end: dt.datetime | None) -> Incident:
    """A major incident on `service` reported at `start` and resolved at `end`."""
    incident = incident_services.incident_create(
        actor=None, data={"customer": ctx.org_a, "title": "Mail down", "service": service}
    )
    manager = factories.person(factories.unique("Mia"), ctx.provider)
    major.major_declare(actor=None, incident=incident, manager=manager)
    Incident.objects.filter(pk=incident.pk).update(created=start, resolved_at=end)
    return Incident.objects.get(pk=incident.pk)


PLAN_TEXT = {
    "invocation_criteria": "Frankfurt site lost for more than 1 hour.",
    "invocation_steps": "1. Declare. 2. Fail over to Dublin. 3. Tell customers.",
    "contacts": "Duty manager +49 69 000; Dublin DC +353 1 000",
    "recovery_requirements": "RTO 4 h, RPO 15 min.",
    "return_to_normal": "Fail back after a quiet night, with the customer's consent.",
}


def plan(service, *, actor=None, **data):
    return services.continuity_plan_create(
        actor=actor, data={"title": "Mail site loss", **PLAN_TEXT, **data}, m2m={"services": [service]}
    )


def approved_plan(service, **data):
    found = plan(service, **data)
    return services.continuity_plan_transition(actor=None, instance=found, transition="approve")
