"""Measured availability on the service's calendar: a major incident's outage lowers the availability by
the right amount (hand computed, part of the outage outside service hours), planned maintenance from the
change schedule, the allowance, MTBF and MTRS, several services and months in few queries, and the SLA
measure the agreements' performance job (and the "availability" indicator) read."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from servitium.agreements import services as sla_services
from servitium.agreements.models import TargetPerformance
from servitium.availability import selectors, services
from servitium.availability.models import AvailabilityRequirement, Outage
from servitium.changes.models import Change
from servitium.core import indicators
from servitium.core import services as core_services
from tests import factories
from tests.availability.conftest import BERLIN, major_incident, office_calendar

pytestmark = pytest.mark.django_db

JUNE = dt.date(2026, 6, 1)
JULY = dt.date(2026, 7, 1)
# June 2026 has 22 weekdays: 22 x 8 h = 176 h of service time on the office calendar.
JUNE_SERVICE_SECONDS = 22 * 8 * 3600


def _june(service):
    return selectors.measure([service.pk], JUNE, JULY, now=dt.datetime(2026, 8, 1, tzinfo=dt.UTC))[0]


def test_major_incident_outage_lowers_availability_by_the_right_amount_on_the_calendar(ctx, measured):
    # Tuesday 2 June 2026, 15:00 to 19:30 Berlin time: 2 h inside service hours (15:00-17:00), 2.5 h after.
    major_incident(
        ctx,
        measured.service,
        dt.datetime(2026, 6, 2, 15, 0, tzinfo=BERLIN),
        dt.datetime(2026, 6, 2, 19, 30, tzinfo=BERLIN),
    )
    before = _june(measured.service)
    assert before.availability == Decimal("100.000") and before.service_seconds == JUNE_SERVICE_SECONDS

    assert services.outages_sync() == {"created": 1, "updated": 0}
    assert services.outages_sync() == {"created": 0, "updated": 0}  # idempotent
    outage = Outage.objects.get()
    assert outage.kind == "unplanned" and outage.source == "major_incident" and outage.incident_id

    june = _june(measured.service)
    assert june.unplanned_seconds == 2 * 3600  # the 2.5 h after 17:00 do not count
    # (176 h - 2 h) / 176 h = 98.864 %
    assert june.availability == Decimal("98.864")
    assert june.target == Decimal("99.500") and june.met is False
    assert june.failures == 1 and june.mtrs_minutes == 120
    assert june.mtbf_hours == 174.0
    assert june.calendar == "Office hours Berlin"


def test_moved_incident_updates_its_outage(ctx, measured):
    incident = major_incident(
        ctx,
        measured.service,
        dt.datetime(2026, 6, 3, 10, tzinfo=BERLIN),
        dt.datetime(2026, 6, 3, 11, tzinfo=BERLIN),
    )
    services.outages_sync()
    type(incident).objects.filter(pk=incident.pk).update(
        resolved_at=dt.datetime(2026, 6, 3, 12, tzinfo=BERLIN)
    )
    assert services.outages_sync() == {"created": 0, "updated": 1}
    assert _june(measured.service).unplanned_seconds == 2 * 3600


def test_planned_maintenance_from_an_implemented_change_and_its_allowance(ctx, measured):
    change = core_services.record_create(
        model=Change,
        data={},
        derived={
            "title": "Upgrade mail servers",
            "status": "completed",
            "planned_start": dt.datetime(2026, 6, 4, 16, tzinfo=BERLIN),  # Thursday 16:00-18:00
            "planned_end": dt.datetime(2026, 6, 4, 18, tzinfo=BERLIN),
        },
        m2m={"affected_services": [measured.service]},
        actor=None,
    )
    services.outages_sync()
    outage = Outage.objects.get(change=change)
    assert outage.kind == "planned" and outage.source == "change"
    june = _june(measured.service)
    assert june.planned_seconds == 3600 and june.unplanned_seconds == 0
    assert june.availability == Decimal("99.432")  # 175 / 176 h
    core_services.record_create(
        model=AvailabilityRequirement,
        data={"service": measured.service, "maintenance_allowance_minutes": 60},
        actor=None,
    )
    assert _june(measured.service).availability == Decimal("100.000")  # within the allowance


def test_unplanned_and_planned_overlap_count_once(ctx, measured):
    for kind, start_h, end_h in (("unplanned", 10, 12), ("planned", 11, 13), ("unplanned", 11, 12)):
        services.outage_create(
            actor=None,
            data={
                "service": measured.service,
                "kind": kind,
                "start": dt.datetime(2026, 6, 5, start_h, tzinfo=BERLIN),
                "end": dt.datetime(2026, 6, 5, end_h, tzinfo=BERLIN),
            },
        )
    june = _june(measured.service)
    assert june.unplanned_seconds == 2 * 3600 and june.planned_seconds == 3600
    assert june.failures == 2


def test_requirement_calendar_wins_and_no_target_means_no_verdict(ctx):
    service = factories.service("Compute", customers=[ctx.org_a])
    figures = _june(service)
    assert figures.calendar == "24x7" and figures.service_seconds == 30 * 86400 and figures.met is None
    core_services.record_create(
        model=AvailabilityRequirement,
        data={"service": service, "calendar": office_calendar("Office 2")},
        actor=None,
    )
    assert _june(service).service_seconds == JUNE_SERVICE_SECONDS


def test_many_services_and_months_in_few_queries(ctx, measured):
    others = [factories.service(f"S{i}", customers=[ctx.org_a]) for i in range(5)]
    for s in [measured.service, *others]:
        services.outage_create(
            actor=None,
            data={
                "service": s,
                "start": dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC),
                "end": dt.datetime(2026, 3, 2, 11, tzinfo=dt.UTC),
            },
        )
    ids = [measured.service.pk, *(s.pk for s in others)]
    with CaptureQueriesContext(connection) as queries:
        figures = selectors.measure(ids, dt.date(2026, 1, 1), dt.date(2027, 1, 1))
    assert len(figures) == 6 * 12
    assert len(queries) <= 5


def test_sla_performance_job_and_indicator_read_the_measurement(ctx, measured):
    major_incident(
        ctx,
        measured.service,
        dt.datetime(2026, 6, 2, 15, 0, tzinfo=BERLIN),
        dt.datetime(2026, 6, 2, 19, 30, tzinfo=BERLIN),
    )
    services.outages_sync()
    start = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)  # the job's periods are months in UTC
    sla_services.performance_record(period_start=start, period_end=dt.datetime(2026, 7, 1, tzinfo=dt.UTC))
    row = TargetPerformance.objects.get(target__metric="availability")
    assert row.measured_value == Decimal("98.864") and row.met is False
    assert indicators.get("availability").func(JUNE, dt.date(2026, 6, 30)) == Decimal("98.864")
