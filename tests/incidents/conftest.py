"""Fixtures of the incident tests: an agreed SLA on a Berlin office-hours calendar."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from servitium.agreements import services as sla_services
from servitium.core.models import ServiceHoursCalendar
from tests import factories

BERLIN = ZoneInfo("Europe/Berlin")
H = 3600


def berlin(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BERLIN)


@pytest.fixture
def sla(ctx):
    """Alder-like customer with an agreed SLA on a Berlin office-hours calendar with German holidays:
    P3 response 2 h, P3 resolution 8 h, P2 resolution 4 h; pending-customer pauses the clock."""
    calendar = ServiceHoursCalendar.objects.create(
        name="Berlin office",
        time_zone="Europe/Berlin",
        holiday_country="DE",
        weekly_hours={d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    )
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
            "exceptions": [{"kind": "force_majeure", "description": "storms"}],
            "pause_statuses": ["pending_customer"],
        },
    )
    for metric, priority, seconds in (
        ("response_time", 3, 2 * H),
        ("resolution_time", 3, 8 * H),
        ("resolution_time", 2, 4 * H),
        ("response_time", 2, 1 * H),
    ):
        sla_services.target_create(
            actor=None,
            data={"agreement": agreement, "metric": metric, "priority": priority, "target_value": seconds},
        )
    return sla_services.agreement_transition(actor=None, instance=agreement, transition="agree")
