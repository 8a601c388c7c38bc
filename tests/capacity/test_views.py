"""The pages of capacity and demand: generated page suites, the plan page (lines by resource type, the
chart of each metric against its critical threshold with the forecast, demand, the finance slot), the
tile on the assurance home page, the service page panel, the report section and the review input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from servitium.capacity import services
from servitium.capacity.models import CapacityMetric, CapacityPlan, CapacityPlanLine, Demand, Measurement
from servitium.capacity.panels import report_section, review_input
from servitium.core.reportsections import ReportScope, report_sections
from servitium.core.reviewinputs import review_inputs
from servitium.finance import selectors as finance_selectors
from servitium.finance import services as finance_services
from servitium.finance.selectors import Period
from tests import factories
from tests.base import RecordUISuite, browser
from tests.capacity.conftest import full_plan, line, metric, plan, readings


class CapacityPages(RecordUISuite):
    writer_roles = ["capacity-agent"]


class TestPlanPages(CapacityPages):
    model = CapacityPlan

    def make(self, ctx):
        return plan(factories.service(factories.unique("Svc")))


class TestLinePages(CapacityPages):
    model = CapacityPlanLine

    def make(self, ctx):
        return line(plan(factories.service(factories.unique("Svc"))))


class TestMetricPages(CapacityPages):
    model = CapacityMetric

    def make(self, ctx):
        return metric(factories.service(factories.unique("Svc")))


class TestMeasurementPages(CapacityPages):
    model = Measurement

    def make(self, ctx):
        return readings(metric(factories.service(factories.unique("Svc"))), [10])[0]


class TestDemandPages(CapacityPages):
    model = Demand

    def make(self, ctx):
        return services.demand_create(
            actor=None,
            data={
                "customer": ctx.org_a,
                "service": factories.service(factories.unique("Svc")),
                "period_start": dt.date(2026, 1, 1),
                "period_end": dt.date(2026, 2, 1),
                "measure": "users",
                "measured": Decimal("10"),
            },
        )


def _rising(service):
    cpu = metric(service, name="Mail CPU")
    readings(cpu, [50 + i * 0.5 for i in range(40)])  # 0.5 a day: 90 reached in ~ 50 days
    cpu.refresh_from_db()
    return cpu


def test_the_plan_page_shows_lines_by_type_charts_and_demand(ctx, staff):
    made = full_plan(staff.service)
    cpu = _rising(staff.service)
    assert cpu.forecast_breach_at is not None
    services.demand_create(
        actor=None,
        data={
            "customer": ctx.org_a,
            "service": staff.service,
            "period_start": dt.date(2026, 1, 1),
            "period_end": dt.date(2026, 2, 1),
            "measure": "mailboxes",
            "measured": Decimal("1200"),
            "forecast": Decimal("1300"),
        },
    )
    page = browser(staff.agent).get(made.get_absolute_url())
    assert page.status_code == 200
    body = page.content.decode()
    for kind in ("human", "technical", "information", "financial"):
        assert f'id="plan-lines-{kind}"' in body
    assert "Mail CPU" in body and "capacity-chart" in body and "<svg" in body
    assert 'class="trend-target"' in body  # the critical threshold drawn as the target line
    assert "forecast to reach the critical threshold" in body
    assert "1300" in body and ctx.org_a.name in body
    assert browser(ctx.customer_a).get(made.get_absolute_url())["Location"] == "/portal/"  # not a staff page


def test_the_plan_page_shows_the_services_budget_and_actual_cost(ctx, staff):
    made = full_plan(staff.service)
    year = made.period_start.year
    budget = finance_services.budget_create(
        actor=None,
        data={
            "service": staff.service,
            "year": year,
            "lines": [{"category": "licences", "amount": "1200.00"}],
        },
    )
    finance_services.budget_transition(actor=None, instance=budget, transition="approve")
    finance_services.cost_create(
        actor=None,
        data={
            "date": made.period_start,
            "amount": "1500.00",
            "category": "licences",
            "expense": "operating",
            "service": staff.service,
            "description": "Mail licences",
        },
    )
    body = browser(staff.agent).get(made.get_absolute_url()).content.decode()
    panel = body[body.index('id="plan-financial-resources"') :][:1200]
    # The plan's period (from today, a year) takes the part of the yearly budget its months cover.
    shown = finance_selectors.financial_resources(
        staff.service.pk, Period(made.period_start, made.period_end + dt.timedelta(days=1))
    )
    assert shown["actual"] == Decimal("1500.00") and shown["budget"] < shown["actual"]
    assert f"budget {shown['budget']}" in panel and "actual 1500.00" in panel and "overspent" in panel


def test_a_review_is_recorded_from_the_plan_page(ctx, staff):
    made = full_plan(staff.service)
    page = browser(staff.agent).post(made.get_absolute_url(), {"action": "review", "note": "Checked"})
    assert page.status_code == 302
    made.refresh_from_db()
    assert made.last_reviewed == timezone.localdate()


def test_the_assurance_tile_names_breaches_forecasts_and_services_without_plan(ctx, staff):
    _rising(staff.service)
    factories.service("Unplanned", customers=[ctx.org_a])
    page = browser(staff.agent).get("/assurance/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="assurance-tile-capacity"' in body
    assert "is forecast to reach its critical threshold" in body
    assert "Unplanned" in body
    outsider = factories.user("incm", ctx.provider, ["incident-manager", "report-agent"])
    assert 'id="assurance-tile-capacity"' not in browser(outsider).get("/assurance/").content.decode()


def test_the_service_page_shows_its_capacity(ctx, staff):
    made = full_plan(staff.service)
    _rising(staff.service)
    body = browser(staff.agent).get(staff.service.get_absolute_url()).content.decode()
    assert 'id="service-capacity"' in body and made.reference in body and "Mail CPU" in body


def test_the_report_section_and_the_review_input_are_registered_and_filled(ctx, staff):
    assert "capacity" in {s.key for s in report_sections()}
    section = next(s for s in report_sections() if s.key == "capacity")
    assert section.items == ("capacity",)
    assert any(i.key == "capacity" and "resources" in i.topics for i in review_inputs())
    today = timezone.localdate()
    scope = ReportScope(ctx.org_a.pk, (), today - dt.timedelta(days=30), today + dt.timedelta(days=1))
    assert report_section(scope) is None  # nothing measured or planned yet
    made = full_plan(staff.service)
    _rising(staff.service)
    found = report_section(scope)
    assert [r["service"] for r in found["services"]] == [staff.service]
    assert found["services"][0]["plan"] == made
    assert "<svg" in str(found["services"][0]["metrics"][0]["svg"])
    figures = review_input(today - dt.timedelta(days=90), today, staff.agent)
    assert figures["approved"] == 1
    assert [m.name for m in figures["soon"]] == ["Mail CPU"]
    assert {ln.get_resource_type_display() for ln in figures["gaps"]} == {
        "human",
        "technical",
        "information",
        "financial",
    }
    assert review_input(today, today, factories.user("incm2", ctx.provider, ["incident-manager"])) is None
