"""The conformity checks of service reporting, each with a passing and a failing case."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from servitium.core.checks import MET, NOT_APPLICABLE, NOT_MET, PARTLY_MET
from servitium.reporting import checks, services
from servitium.reporting.models import ReportDefinition
from servitium.reporting.selectors import add_months
from tests.reporting.conftest import definition


def _agreed(made, months_ago):
    when = add_months(timezone.localdate().replace(day=1), -months_ago)
    ReportDefinition.objects.filter(pk=made.pk).update(
        created=dt.datetime.combine(when, dt.time(), tzinfo=dt.UTC)
    )
    made.refresh_from_db()
    return made


def _issue_all(made, months):
    first = timezone.localdate().replace(day=1)
    for back in range(1, months + 1):
        services.report_generate(
            actor=None,
            definition=made,
            period_start=add_months(first, -back),
            pdf=False,
            issue=True,
            mail=False,
        )


def test_every_customer_has_a_described_report(ctx, staff):
    definition(staff, ctx.org_a)
    result = checks.reports_defined_per_customer()
    assert result.status == PARTLY_MET and ctx.org_b.name in result.message  # B receives a live service
    definition(staff, ctx.org_b)
    assert checks.reports_defined_per_customer().status == MET


def test_definitions_hold_the_required_content(ctx, staff):
    definition(staff, ctx.org_a)
    assert checks.definitions_hold_required_content().status == MET
    short = definition(staff, ctx.org_b, sections=["service_targets"])
    result = checks.definitions_hold_required_content()
    assert result.status == PARTLY_MET and short.reference in result.message and "workload" in result.message


def test_a_missed_month_fails_naming_the_definition(ctx, staff):
    made = _agreed(definition(staff, ctx.org_a), 3)
    _issue_all(made, 3)
    assert checks.issued_on_schedule().status == MET
    gap = _agreed(definition(staff, ctx.org_b, title="B monthly"), 3)
    _issue_all(gap, 3)
    missed = add_months(timezone.localdate().replace(day=1), -2)
    gap.reports.filter(period_start=missed).update(status="superseded")
    result = checks.issued_on_schedule()
    assert result.status == PARTLY_MET
    assert gap.reference in result.message and missed.strftime("%Y-%m") in result.message
    assert made.reference not in result.message


def test_decisions_are_recorded_and_followed_up(ctx, staff):
    assert checks.decisions_recorded().status == NOT_APPLICABLE
    made = definition(staff, ctx.org_a)
    first = timezone.localdate().replace(day=1)
    report = services.report_generate(
        actor=None, definition=made, period_start=add_months(first, -1), pdf=False, issue=True, mail=False
    )
    assert checks.decisions_recorded().status == NOT_MET
    action = services.action_create(
        actor=None,
        data={
            "report": report,
            "text": "Add an agent",
            "owner": staff.owner,
            "due_date": timezone.localdate() - dt.timedelta(days=3),
        },
    )
    assert checks.decisions_recorded().status == PARTLY_MET  # recorded, but overdue
    services.action_transition(actor=None, instance=action, transition="complete")
    assert checks.decisions_recorded().status == MET
