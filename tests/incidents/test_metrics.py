"""Incident management's gauges on /metrics: open tickets by priority and SLA clocks at risk or breached."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from servitium.agreements import services as sla_services
from servitium.core.models import ServiceHoursCalendar
from servitium.incidents import services
from servitium.incidents.models import Incident
from tests import factories
from tests.core.test_metrics import sample, scrape
from tests.incidents.conftest import H, berlin


def ticket(ctx, impact: int, urgency: int, **extra) -> Incident:
    data = {"customer": ctx.org_a, "title": "Metrics", "impact": impact, "urgency": urgency, **extra}
    return services.incident_create(actor=None, data=data)


def test_open_tickets_by_priority_match_the_records(ctx):
    for impact, urgency in ((1, 1), (1, 1), (2, 2), (3, 3)):
        ticket(ctx, impact, urgency)
    gone = ticket(ctx, 2, 2)
    Incident.objects.filter(pk=gone.pk).update(status=Incident.Status.CLOSED)  # closed: not counted
    ticket(ctx, 1, 1, kind=Incident.Kind.REQUEST)
    expected = {}
    for row in Incident.objects.exclude(status__in=["resolved", "closed"]).values("kind", "priority"):
        key = (row["kind"], str(row["priority"]))
        expected[key] = expected.get(key, 0) + 1
    assert expected[("incident", "1")] == 2 and sum(expected.values()) == 5
    families = scrape()
    for kind in ("incident", "request"):
        for priority in "12345":
            value = sample(families, "servitium_incidents_open", kind=kind, priority=priority)
            assert value == expected.get((kind, priority), 0), (kind, priority)


def _always_open_sla(ctx):
    """An SLA on a calendar open round the clock: P3 response 2 h (warning at 1.5 h), resolution 8 h."""
    calendar = ServiceHoursCalendar.objects.create(
        name="Round the clock",
        time_zone="UTC",
        weekly_hours={d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    )
    service = factories.service("Metrics service", customers=[ctx.org_a])
    agreement = sla_services.agreement_create(
        actor=None,
        data={
            "customer": ctx.org_a,
            "service": service,
            "title": "Metrics SLA",
            "calendar": calendar,
            "valid_from": dt.date(2026, 1, 1),
            "workload": {"peak_periods": ["month end"]},
            "exceptions": [{"kind": "force_majeure", "description": "storms"}],
        },
    )
    for metric, seconds in (("response_time", 2 * H), ("resolution_time", 8 * H)):
        sla_services.target_create(
            actor=None,
            data={"agreement": agreement, "metric": metric, "priority": 3, "target_value": seconds},
        )
    return sla_services.agreement_transition(actor=None, instance=agreement, transition="agree")


def test_clocks_at_risk_and_breached(ctx):
    sla = _always_open_sla(ctx)
    now = timezone.now()
    # Response clock: 1 h 45 min of a 2 h target gone (at risk); resolution: 22 % gone (on track).
    services.incident_create(
        actor=None,
        data={"customer": ctx.org_a, "service": sla.service, "title": "Slow", "impact": 2, "urgency": 2},
        now=now - dt.timedelta(minutes=105),
    )
    # Both clocks past their targets: breached.
    services.incident_create(
        actor=None,
        data={"customer": ctx.org_a, "service": sla.service, "title": "Old", "impact": 2, "urgency": 2},
        now=now - dt.timedelta(hours=9),
    )
    families = scrape()

    def clocks(metric, state):
        return sample(families, "servitium_sla_clocks", metric=metric, state=state)

    assert clocks("response_time", "at_risk") == 1
    assert clocks("response_time", "breached") == 1
    assert clocks("resolution_time", "at_risk") == 0
    assert clocks("resolution_time", "breached") == 1


def test_a_breached_clock_on_office_hours_shows_as_breached(ctx, sla):
    services.incident_create(
        actor=None,
        data={
            "customer": ctx.org_a,
            "service": sla.service,
            "title": "Unanswered",
            "impact": 2,
            "urgency": 2,
        },
        now=berlin(2026, 11, 23, 9),
    )
    families = scrape()
    assert sample(families, "servitium_sla_clocks", metric="response_time", state="breached") == 1
    assert sample(families, "servitium_sla_clocks", metric="resolution_time", state="breached") == 1
