"""What availability contributes elsewhere: the "availability" section of service reports for a
ReportScope, the management-review input under "service_performance", and the availability panel on a
service's page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from servitium.availability import panels, services
from servitium.core.reportsections import ReportScope, report_sections
from servitium.core.reviewinputs import review_inputs
from tests import factories
from tests.availability.conftest import BERLIN, major_incident

pytestmark = pytest.mark.django_db


def _outage(ctx, measured):
    major_incident(
        ctx,
        measured.service,
        dt.datetime(2026, 6, 2, 15, 0, tzinfo=BERLIN),
        dt.datetime(2026, 6, 2, 19, 30, tzinfo=BERLIN),
    )
    services.outages_sync()


def test_report_section_gives_availability_against_target_for_the_scope(ctx, measured):
    _outage(ctx, measured)
    factories.service("Compute", customers=[ctx.org_b])
    section = next(s for s in report_sections() if s.key == "availability")
    assert section.items == ("availability",)
    built = section.build(ReportScope(ctx.org_a.pk, (), dt.date(2026, 6, 1), dt.date(2026, 7, 1)))
    (row,) = built["rows"]  # customer B's service is not in customer A's report
    assert row["service"] == "Email" and row["availability"] == Decimal("98.864")
    assert row["target"] == Decimal("99.500") and row["missed"] == 1 and row["unplanned_minutes"] == 120
    assert "<svg" in built["chart"]
    nothing = section.build(ReportScope(None, (999999,), dt.date(2026, 6, 1), dt.date(2026, 7, 1)))
    assert nothing is None


def test_review_input_names_missed_targets_and_plans_due(ctx, staff, measured):
    _outage(ctx, measured)
    found = next(i for i in review_inputs() if i.key == "availability")
    assert found.topics == ("service_performance",)
    context = found.context(dt.date(2026, 6, 1), dt.date(2026, 7, 1), staff.manager)
    assert [(f.service, f.month) for f in context["missed"]] == [("Email", dt.date(2026, 6, 1))]
    assert found.context(dt.date(2026, 6, 1), dt.date(2026, 7, 1), ctx.customer_a) is None


def test_service_page_panel(ctx, staff, measured):
    context = panels.service_availability(measured.service, staff.manager)
    assert len(context["figures"]) == 12 and "<svg" in context["chart"]
    assert panels.service_availability(measured.service, ctx.customer_a) is None
