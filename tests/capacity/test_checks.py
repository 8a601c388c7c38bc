"""The capacity checks, both ways: a well-kept set of plans, metrics and demand meets them; each kind of
gap fails the check bound to the right leaf."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.utils import timezone

import servitium
from servitium.capacity import services
from servitium.capacity.models import CapacityPlan, Demand
from servitium.changes.models import Change
from servitium.core.checks import MET, NOT_APPLICABLE, NOT_MET, PARTLY_MET, REGISTRY
from servitium.core.errors import TransitionNotAllowed
from tests import factories
from tests.agreements.test_agreements import agreed, draft
from tests.capacity.conftest import full_plan, line, metric, readings
from tests.changes.conftest import change

FAILING = (NOT_MET, PARTLY_MET)


def run(check_id: str):
    return REGISTRY[check_id].run()


def test_requirements_are_leaves_of_the_catalogues():
    leaves = set()
    for edition in ("2011", "2018"):
        path = Path(servitium.__file__).parent / "conformity" / "frameworks" / f"iso20000-1-{edition}.yaml"
        data = yaml.safe_load(path.read_text())

        def walk(nodes, slug=data["slug"]):
            for node in nodes:
                if node.get("children"):
                    walk(node["children"])
                else:
                    leaves.add(f"{slug}#{node['id']}")

        walk(data["requirements"])
    ours = [c for c in REGISTRY.values() if c.id.startswith("capacity.")]
    assert len(ours) >= 12
    bound = set()
    for check in ours:
        assert set(check.requirements) <= leaves, check.id
        bound |= set(check.requirements)
    for leaf in ("8.4.2.s1", "8.4.2.s2", "8.4.3.a", "8.4.3.b", "8.4.3.c", "8.4.3.s1", "8.4.3.s2", "8.4.3.s3"):
        assert f"iso20000-1:2018#{leaf}" in bound
    for leaf in (
        "6.5.a",
        "6.5.b",
        "6.5.c",
        "6.5.d",
        "6.5.e",
        "6.5.f",
        "6.5.s1",
        "6.5.s2",
        "6.5.s3",
        "6.5.s4",
    ):
        assert f"iso20000-1:2011#{leaf}" in bound


def revised(plan):
    """The plan taken back to draft under an approved change, ready to be approved again."""
    plan = services.plan_transition(actor=None, instance=plan, transition="revise")
    rfc = change("Plan revision", services_=[plan.service])
    Change.objects.filter(pk=rfc.pk).update(status="approved")  # as the change advisory board decided
    return services.plan_update(actor=None, instance=plan, data={"change": rfc})


def _demand(customer, service, **data):
    values = {
        "customer": customer,
        "service": service,
        "period_start": timezone.localdate() - dt.timedelta(days=40),
        "period_end": timezone.localdate() - dt.timedelta(days=10),
        "measure": "users",
        "measured": Decimal("100"),
        "forecast": Decimal("120"),
        **data,
    }
    return services.demand_create(actor=None, data=values)


@pytest.fixture
def kept(ctx, staff):
    """The one live service planned, measured and within thresholds, its customer's demand recorded."""
    made = full_plan(staff.service)
    cpu = metric(staff.service)
    readings(cpu, [40, 41, 40, 42])
    _demand(ctx.org_a, staff.service)
    agreed(ctx.org_a, staff.service)  # the volumes the customer expects, agreed
    return made, cpu


ALL = (
    "capacity.live_services_planned",
    "capacity.plans_cover_resource_types",
    "capacity.plans_give_demand",
    "capacity.plans_state_requirements_impact",
    "capacity.plans_consider_external_change",
    "capacity.plans_consider_new_technology",
    "capacity.plans_state_predictive_analysis",
    "capacity.gaps_have_timescale_and_cost",
    "capacity.plans_reviewed_on_schedule",
    "capacity.live_services_monitored",
    "capacity.capacity_sufficient",
    "capacity.demand_determined",
    "capacity.demand_monitored",
    "capacity.requirements_agreed",
)


def test_a_well_kept_capacity_process_meets_every_check(kept):
    for check_id in ALL:
        result = run(check_id)
        assert result.status == MET, (check_id, result.message)


def test_a_live_service_without_a_plan_fails(kept, ctx):
    factories.service("Unplanned", customers=[ctx.org_a])
    result = run("capacity.live_services_planned")
    assert result.status in FAILING and "Unplanned" in {g.label for g in result.gaps}


def test_a_draft_or_expired_plan_is_no_plan_in_force(kept):
    made, _cpu = kept
    services.plan_transition(actor=None, instance=made, transition="revise")
    assert run("capacity.live_services_planned").status == NOT_MET
    assert run("capacity.plans_cover_resource_types").status == NOT_APPLICABLE


def test_a_plan_missing_a_kind_of_resource_fails(kept):
    made, _cpu = kept
    made.lines.filter(resource_type="information").delete()
    assert run("capacity.plans_cover_resource_types").status == NOT_MET


@pytest.mark.parametrize(
    ("field", "check_id"),
    [
        ("forecast_demand_figure", "capacity.plans_give_demand"),
        ("requirements_impact", "capacity.plans_state_requirements_impact"),
        ("external_changes", "capacity.plans_consider_external_change"),
        ("new_technology", "capacity.plans_consider_new_technology"),
        ("predictive_analysis", "capacity.plans_state_predictive_analysis"),
        ("upgrades", "capacity.gaps_have_timescale_and_cost"),
    ],
)
def test_a_plan_leaving_out_an_item_fails_its_check(kept, field, check_id):
    made, _cpu = kept
    CapacityPlan.objects.filter(pk=made.pk).update(**{field: None if field.endswith("figure") else ""})
    assert run(check_id).status == NOT_MET


def test_a_gap_without_a_date_or_cost_fails(kept):
    made, _cpu = kept
    made = revised(made)
    line(made, "human", current="1", need="3")  # no action, date or cost
    services.plan_transition(actor=None, instance=made, transition="approve")
    result = run("capacity.gaps_have_timescale_and_cost")
    assert result.status == PARTLY_MET


def test_an_overdue_review_fails(kept):
    made, _cpu = kept
    CapacityPlan.objects.filter(pk=made.pk).update(next_review=timezone.localdate() - dt.timedelta(days=1))
    assert run("capacity.plans_reviewed_on_schedule").status == NOT_MET


def test_a_service_not_measured_lately_fails(kept, ctx):
    other = factories.service("Quiet", customers=[ctx.org_a])
    old = metric(other, name="Old")
    readings(old, [1, 2], end=timezone.now() - dt.timedelta(days=30))
    result = run("capacity.live_services_monitored")
    assert result.status == PARTLY_MET and "Quiet" in {g.label for g in result.gaps}


def test_a_metric_beyond_its_critical_threshold_fails(kept):
    _made, cpu = kept
    readings(cpu, [95], end=timezone.now())
    assert run("capacity.capacity_sufficient").status == NOT_MET


def test_a_customer_without_demand_fails_and_old_demand_does_not_count(kept, ctx, staff):
    second = factories.service("Second", customers=[ctx.org_a])
    assert run("capacity.demand_determined").status == PARTLY_MET
    # requests counted as demand are consumption, not a forecast someone made
    month = timezone.localdate().replace(day=1)
    Demand.objects.create(
        customer=ctx.org_a,
        service=second,
        period_start=month - dt.timedelta(days=30),
        period_end=month,
        measure="service requests",
        measured=3,
        forecast=3,
        source=Demand.Source.REQUESTS,
    )
    assert run("capacity.demand_determined").status == PARTLY_MET
    Demand.objects.all().delete()
    _demand(ctx.org_a, staff.service, period_start=dt.date(2020, 1, 1), period_end=dt.date(2020, 2, 1))
    assert run("capacity.demand_determined").status == NOT_MET
    assert run("capacity.demand_monitored").status == NOT_MET


def test_a_customer_without_agreed_volumes_fails(kept, ctx):
    second = factories.service("Second", customers=[ctx.org_a])
    result = run("capacity.requirements_agreed")
    assert result.status == PARTLY_MET and "Second" in result.message
    assert {g.object_id for g in result.gaps} == {second.pk}
    # an agreement that states peak periods but no expected volumes has agreed no capacity
    only_peaks = draft(ctx.org_a, second, workload={"peak_periods": ["month end"]})
    assert run("capacity.requirements_agreed").status == PARTLY_MET
    only_peaks.delete()
    agreed(ctx.org_a, second)
    assert run("capacity.requirements_agreed").status == MET


def test_a_revised_plan_is_approved_only_under_an_approved_change(kept, staff):
    made, _cpu = kept
    assert run("capacity.revisions_under_change").status == NOT_APPLICABLE
    made = services.plan_transition(actor=staff.manager, instance=made, transition="revise")
    assert made.revision == 1 and made.change is None
    with pytest.raises(TransitionNotAllowed, match="name the change"):
        services.plan_transition(actor=staff.manager2, instance=made, transition="approve")
    rfc = change("More mail storage", services_=[staff.service])
    made = services.plan_update(actor=staff.manager, instance=made, data={"change": rfc})
    with pytest.raises(TransitionNotAllowed, match="must be approved first"):
        services.plan_transition(actor=staff.manager2, instance=made, transition="approve")
    Change.objects.filter(pk=rfc.pk).update(status="approved")  # as the change advisory board decided
    made = services.plan_transition(actor=staff.manager2, instance=made, transition="approve")
    result = run("capacity.revisions_under_change")
    assert result.status == MET, result.message
    # a revision approved before the rule, or its change withdrawn afterwards: named as the gap
    Change.objects.filter(pk=rfc.pk).update(status="cancelled")
    result = run("capacity.revisions_under_change")
    assert result.status == NOT_MET and [g.object_id for g in result.gaps] == [made.pk]
    # the next revision starts without a change again
    made = services.plan_transition(actor=staff.manager, instance=made, transition="revise")
    assert made.revision == 2 and made.change is None
