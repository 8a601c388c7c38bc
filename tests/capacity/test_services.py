"""Capacity services: the plan's approval by somebody other than its author, the measurement intake with
its all-or-nothing validation, the state and forecast it keeps on the metric, one incident per critical
breach and the note when it is over, and demand counted from service requests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from servitium.capacity import services
from servitium.capacity.models import CapacityMetric, Demand, Measurement
from servitium.core.approval import SelfApproval
from servitium.core.errors import TransitionNotAllowed
from servitium.core.models import Comment
from servitium.incidents.models import Incident
from tests import factories
from tests.capacity.conftest import FULL_PLAN, line, metric, plan, readings


def test_the_author_may_not_approve_the_plan_another_manager_may(staff):
    made = plan(staff.service, actor=staff.manager, **FULL_PLAN)
    line(made)
    assert made.author == staff.manager
    with pytest.raises(SelfApproval):
        services.plan_transition(actor=staff.manager, instance=made, transition="approve")
    approved = services.plan_transition(actor=staff.manager2, instance=made, transition="approve")
    assert approved.status == "approved"
    assert approved.approved_by == staff.manager2
    assert approved.next_review == timezone.localdate() + dt.timedelta(days=approved.review_interval_days)
    revised = services.plan_transition(actor=staff.manager, instance=approved, transition="revise")
    assert revised.status == "draft" and revised.approved_by is None


def test_an_approved_plan_and_its_lines_are_kept_until_revised(staff):
    made = plan(staff.service, **FULL_PLAN)
    first = line(made)
    made = services.plan_transition(actor=None, instance=made, transition="approve")
    with pytest.raises(TransitionNotAllowed, match="revise"):
        services.plan_update(actor=None, instance=made, data={"title": "Changed quietly"})
    with pytest.raises(TransitionNotAllowed):
        line(made)
    with pytest.raises(TransitionNotAllowed):
        services.line_update(actor=None, instance=first, data={"forecast_need": Decimal("99")})
    with pytest.raises(TransitionNotAllowed):
        services.line_delete(actor=None, instance=first)
    made = services.plan_transition(actor=None, instance=made, transition="revise")
    assert services.plan_update(actor=None, instance=made, data={"title": "Changed"}).title == "Changed"
    services.line_delete(actor=None, instance=first)
    assert not made.lines.exists()


def test_a_plan_without_demand_or_lines_is_not_approved(staff):
    made = plan(staff.service)
    with pytest.raises(TransitionNotAllowed):
        services.plan_transition(actor=None, instance=made, transition="approve")
    made = services.plan_update(actor=None, instance=made, data=dict(FULL_PLAN))
    with pytest.raises(TransitionNotAllowed, match="resource line"):
        services.plan_transition(actor=None, instance=made, transition="approve")


def test_a_financial_line_points_only_to_its_services_budget(staff):
    from servitium.competence.models import ResourceBudget

    made = plan(staff.service)
    other = factories.service("Other")
    budget = ResourceBudget.objects.create(service=other, year=2026, budget=Decimal("100"))
    with pytest.raises(ValidationError) as err:
        line(made, "financial", budget=budget)
    assert "budget" in err.value.message_dict
    own = ResourceBudget.objects.create(service=staff.service, year=2026, budget=Decimal("100"))
    with pytest.raises(ValidationError):
        line(made, "technical", budget=own)
    assert line(made, "financial", budget=own).gap == Decimal("2")


def test_measurements_update_the_state_and_the_forecast(staff):
    cpu = metric(staff.service)
    readings(cpu, [50, 55, 60, 65, 72])
    cpu.refresh_from_db()
    assert cpu.state == CapacityMetric.State.WARNING
    assert cpu.last_value == Decimal("72")
    # 5 a day from 72: 90 in about 3.6 days
    assert cpu.forecast_breach_at is not None
    assert dt.timedelta(days=3) < cpu.forecast_breach_at - cpu.last_measured_at < dt.timedelta(days=4.2)
    assert cpu.breach_incident is None


def test_a_bad_row_stores_nothing_and_is_named(staff):
    cpu = metric(staff.service)
    now = timezone.now()
    rows = [
        {"metric": cpu.pk, "measured_at": now - dt.timedelta(hours=2), "value": 1},
        {"metric": cpu.pk, "measured_at": now - dt.timedelta(hours=1), "value": "lots"},
    ]
    with pytest.raises(ValidationError) as err:
        services.measurements_record(actor=None, rows=rows)
    assert "Row 1, value" in err.value.message_dict["measurements"][0]
    assert not Measurement.objects.exists()
    rows[1]["value"] = 2
    rows.append({"metric": cpu.pk, "measured_at": rows[0]["measured_at"], "value": 3})
    with pytest.raises(ValidationError, match="Row 2, measured_at"):
        services.measurements_record(actor=None, rows=rows)
    with pytest.raises(ValidationError, match="Row 0, metric"):
        services.measurements_record(actor=None, rows=[{"metric": 999999, "measured_at": now, "value": 1}])


def test_a_critical_breach_raises_one_incident_and_its_end_is_noted(staff):
    disk = metric(staff.service, name="Disk used", warning="80", critical="95")
    readings(disk, [90, 96], end=timezone.now() - dt.timedelta(hours=5))
    disk.refresh_from_db()
    assert disk.state == CapacityMetric.State.CRITICAL
    incident = disk.breach_incident
    assert incident is not None
    assert incident.service == staff.service and incident.customer == staff.service.customers.first()
    assert incident.channel == "monitoring" and "Disk used" in incident.title
    readings(disk, [97, 98, 99], end=timezone.now() - dt.timedelta(hours=2), days_apart=0.01)
    disk.refresh_from_db()
    assert Incident.objects.count() == 1  # not one per reading beyond the threshold
    assert disk.breach_incident == incident
    readings(disk, [70], end=timezone.now() - dt.timedelta(hours=1))
    disk.refresh_from_db()
    assert disk.state == CapacityMetric.State.OK and disk.breach_incident is None
    notes = Comment.objects.filter(object_id=incident.pk, body__contains="back within")
    assert notes.count() == 1
    readings(disk, [99], end=timezone.now() - dt.timedelta(minutes=30))
    disk.refresh_from_db()
    assert Incident.objects.count() == 2 and disk.breach_incident != incident  # a new breach, a new one


def test_correcting_or_removing_the_latest_reading_moves_the_state(staff):
    cpu = metric(staff.service)
    stored = readings(cpu, [60, 75])
    services.measurement_update(actor=None, instance=stored[-1], data={"value": Decimal("50")})
    cpu.refresh_from_db()
    assert cpu.state == "ok" and cpu.last_value == Decimal("50")
    services.measurement_delete(actor=None, instance=stored[-1])
    cpu.refresh_from_db()
    assert cpu.last_value == Decimal("60")


def test_lower_is_worse_breaches_below_the_threshold(staff):
    free = metric(staff.service, name="Free IPs", warning="50", critical="10", direction="lower_is_worse")
    readings(free, [60, 40])
    free.refresh_from_db()
    assert free.state == CapacityMetric.State.WARNING
    readings(free, [5], end=timezone.now())
    free.refresh_from_db()
    assert free.state == CapacityMetric.State.CRITICAL and free.breach_incident is not None


def test_thresholds_in_the_wrong_order_are_refused(staff):
    with pytest.raises(ValidationError) as err:
        metric(staff.service, warning="90", critical="80")
    assert "critical_threshold" in err.value.message_dict
    with pytest.raises(ValidationError):
        metric(None)


def test_changing_the_thresholds_re_evaluates_the_state(staff):
    cpu = metric(staff.service)
    readings(cpu, [60, 75])
    cpu.refresh_from_db()
    assert cpu.state == "warning"
    cpu = services.metric_update(actor=None, instance=cpu, data={"warning_threshold": Decimal("80")})
    cpu.refresh_from_db()
    assert cpu.state == "ok"


def test_demand_is_counted_from_service_requests_once_per_period(staff, ctx):
    from servitium.incidents import services as incident_services

    for _ in range(3):
        incident_services.incident_create(
            actor=None,
            data={"title": "New mailbox", "customer": ctx.org_a, "service": staff.service, "kind": "request"},
        )
    incident_services.incident_create(
        actor=None, data={"title": "Broken", "customer": ctx.org_a, "service": staff.service}
    )
    today = timezone.localdate()
    start, end = today.replace(day=1), today + dt.timedelta(days=1)
    made = services.demand_from_requests(actor=None, start=start, end=end)
    assert [(d.customer, d.service, d.measured) for d in made] == [(ctx.org_a, staff.service, Decimal(3))]
    assert made[0].source == Demand.Source.REQUESTS
    incident_services.incident_create(
        actor=None,
        data={"title": "Another", "customer": ctx.org_a, "service": staff.service, "kind": "request"},
    )
    again = services.demand_from_requests(actor=None, start=start, end=end)
    assert Demand.objects.count() == 1 and again[0].measured == Decimal(4)
