"""The availability and continuity checks, both ways, against the right leaves: a continuity plan whose
test is overdue is reported against 2018 8.7.2.s5 (and 2011 6.3.3.s3) naming the plan."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from django.utils import timezone

import servitium
from servitium.availability import services
from servitium.availability.models import ContinuityPlan, ContinuityRequirement, Outage
from servitium.core import services as core_services
from servitium.core.checks import MET, NOT_APPLICABLE, NOT_MET, PARTLY_MET, REGISTRY
from tests import factories
from tests.availability.conftest import BERLIN, approved_plan, major_incident

pytestmark = pytest.mark.django_db


def run(check_id: str):
    return REGISTRY[check_id].run()


def _leaves() -> set[str]:
    found = set()
    base = Path(servitium.__file__).parent / "conformity" / "frameworks"
    for name, slug in (
        ("iso20000-1-2018.yaml", "iso20000-1:2018"),
        ("iso20000-1-2011.yaml", "iso20000-1:2011"),
    ):
        doc = yaml.safe_load((base / name).read_text())

        def walk(items, slug=slug):
            for item in items:
                if item.get("children"):
                    walk(item["children"], slug)
                else:
                    found.add(f"{slug}#{item['id']}")

        walk(doc["requirements"])
    return found


def test_checks_are_bound_to_leaves():
    leaves = _leaves()
    ours = [c for c in REGISTRY.values() if c.id.startswith(("availability.", "continuity."))]
    assert len(ours) >= 10
    for check in ours:
        assert set(check.requirements) <= leaves, check.id


def test_overdue_test_is_reported_against_the_right_requirement_naming_the_plan(ctx):
    service = factories.service("Email", customers=[ctx.org_a])
    on_time = approved_plan(service)
    late = approved_plan(service, title="Data centre loss", test_interval_days=90)
    services.continuity_test_create(
        actor=None,
        data={"plan": on_time, "tested_on": dt.date.today(), "scenario": "x", "result": "passed"},
    )
    services.continuity_test_create(
        actor=None,
        data={
            "plan": late,
            "tested_on": dt.date.today() - dt.timedelta(days=120),
            "scenario": "y",
            "result": "passed",
        },
    )
    result = run("continuity.plans_tested_on_time")
    assert result.status == PARTLY_MET
    assert [g.object_id for g in result.gaps] == [late.pk]
    assert late.reference in result.message
    check = REGISTRY["continuity.plans_tested_on_time"]
    assert (
        "iso20000-1:2018#8.7.2.s5" in check.requirements and "iso20000-1:2011#6.3.3.s3" in check.requirements
    )
    services.continuity_test_create(
        actor=None, data={"plan": late, "tested_on": dt.date.today(), "scenario": "y", "result": "passed"}
    )
    assert run("continuity.plans_tested_on_time").status == MET


def test_targets_agreed(ctx, measured):
    assert run("availability.targets_agreed").status == MET
    factories.service("No target", customers=[ctx.org_a])
    result = run("availability.targets_agreed")
    assert result.status == PARTLY_MET and "No target" in result.message


def test_measured_against_target(ctx, measured):
    assert run("availability.measured_against_target").status == MET
    empty = measured.calendar
    empty.weekly_hours = {}
    empty.save()
    assert run("availability.measured_against_target").status == NOT_MET


def test_major_incidents_recorded_and_investigated(ctx, measured):
    now = dt.datetime.now(dt.UTC)
    major_incident(ctx, measured.service, now - dt.timedelta(days=40), now - dt.timedelta(days=39))
    assert run("availability.major_incidents_recorded").status == NOT_MET
    services.outages_sync()
    assert run("availability.major_incidents_recorded").status == MET
    assert run("availability.unplanned_outages_investigated").status == NOT_MET
    outage = Outage.objects.get()
    services.outage_update(actor=None, instance=outage, data={"investigated": True})
    assert run("availability.unplanned_outages_investigated").status == MET


def test_continuity_requirements_covered_and_complete(ctx):
    service = factories.service("Email", customers=[ctx.org_a])
    assert run("continuity.requirements_set").status == NOT_MET
    requirement = core_services.record_create(
        model=ContinuityRequirement,
        data={"service": service, "rto_minutes": 240, "rpo_minutes": 15},
        actor=None,
    )
    assert run("continuity.requirements_set").status == MET
    assert run("continuity.plans_cover_requirements").status == NOT_MET
    assert run("continuity.availability_when_invoked").status == NOT_MET
    approved_plan(service)
    assert run("continuity.plans_cover_requirements").status == MET
    assert run("continuity.plan_contents").status == MET
    core_services.record_update(instance=requirement, data={"availability_when_invoked": "95"}, actor=None)
    assert run("continuity.availability_when_invoked").status == MET


def test_reviewed_after_tests_and_deficiencies_acted_on(ctx):
    service = factories.service("Email", customers=[ctx.org_a])
    bcp = approved_plan(service)
    two_months_ago = dt.date.today() - dt.timedelta(days=60)
    core_services.record_update(instance=bcp, data={}, derived={"last_reviewed": two_months_ago}, actor=None)
    assert run("continuity.deficiencies_acted_on").status == NOT_APPLICABLE
    services.continuity_test_create(
        actor=None,
        data={
            "plan": bcp,
            "tested_on": dt.date.today() - dt.timedelta(days=45),
            "scenario": "Site loss",
            "result": "failed",
        },
    )
    assert run("continuity.reviewed_after_tests").status == NOT_MET
    assert run("continuity.deficiencies_acted_on").status == NOT_MET
    services.continuity_plan_review(actor=None, instance=ContinuityPlan.objects.get(pk=bcp.pk))
    assert run("continuity.reviewed_after_tests").status == MET
    test = bcp.tests.get()
    core_services.record_update(
        instance=test, data={"findings": "Slow", "actions": [{"description": "Faster"}]}, actor=None
    )
    assert run("continuity.deficiencies_acted_on").status == MET


def test_availability_plan_rule(ctx, staff):
    assert run("availability.plan_approved").status == NOT_MET
    plan = services.availability_plan_create(
        actor=staff.manager,
        data={"title": "Provider availability plan", "requirements_and_targets": "99.9 %"},
    )
    services.availability_plan_transition(actor=staff.other, instance=plan, transition="approve")
    assert run("availability.plan_approved").status == MET


def test_outage_in_berlin_is_unaffected_by_dst(ctx, measured):
    """A guard on the helper: the March month boundary in Berlin time is measured without error."""
    services.outage_create(
        actor=None,
        data={
            "service": measured.service,
            "start": dt.datetime(2026, 3, 30, 9, tzinfo=BERLIN),
            "end": dt.datetime(2026, 3, 30, 10, tzinfo=BERLIN),
        },
    )
    from servitium.availability import selectors

    figures = selectors.measure([measured.service.pk], dt.date(2026, 3, 1), dt.date(2026, 4, 1))
    assert figures[0].unplanned_seconds == 3600


def test_availability_risks_are_assessed_in_a_current_plan(ctx, staff):
    email = factories.service("Email", customers=[ctx.org_a])
    factories.service("Storage", customers=[ctx.org_a])
    assert run("availability.risks_assessed").status == NOT_MET
    own = services.availability_plan_create(
        actor=staff.manager,
        data={
            "title": "Email availability",
            "service": email,
            "requirements_and_targets": "99.9 %",
            "risks": "Loss of the mail relay.",
        },
    )
    services.availability_plan_transition(actor=staff.other, instance=own, transition="approve")
    result = run("availability.risks_assessed")
    assert result.status == PARTLY_MET and [g.label for g in result.gaps] == ["Storage"]
    wide = services.availability_plan_create(
        actor=staff.manager,
        data={"title": "Provider plan", "requirements_and_targets": "99.5 %", "risks": "Site loss."},
    )
    services.availability_plan_transition(actor=staff.other, instance=wide, transition="approve")
    assert run("availability.risks_assessed").status == MET
    # a plan whose review is overdue no longer counts
    core_services.record_update(
        instance=wide,
        data={},
        derived={"next_review_due": dt.date.today() - dt.timedelta(days=1)},
        actor=None,
    )
    assert run("availability.risks_assessed").status == PARTLY_MET


def test_continuity_risks_are_assessed_in_the_register_within_a_year(ctx):
    from servitium.risks import services as risk_services

    service = factories.service("Email", customers=[ctx.org_a])
    assert run("continuity.risks_assessed").status == NOT_APPLICABLE
    core_services.record_create(
        model=ContinuityRequirement,
        data={"service": service, "rto_minutes": 240, "rpo_minutes": 15},
        actor=None,
    )
    result = run("continuity.risks_assessed")
    assert result.status == NOT_MET and [g.label for g in result.gaps] == ["Email"]
    risk_services.matrix_ensure()
    risk = risk_services.risk_create(
        actor=None,
        data={
            "kind": "risk",
            "category": "service",
            "title": "Site loss",
            "likelihood": 2,
            "impact": 5,
            "owner": factories.person("Risk Owner", ctx.provider),
        },
        m2m={"services": [service]},
    )
    assert run("continuity.risks_assessed").status == NOT_MET  # identified, not yet assessed
    risk = risk_services.risk_transition(actor=None, instance=risk, transition="assess")
    assert run("continuity.risks_assessed").status == MET
    long_ago = dt.date.today() - dt.timedelta(days=400)
    type(risk).objects.filter(pk=risk.pk).update(
        created=dt.datetime.combine(long_ago, dt.time(12), tzinfo=dt.UTC), last_reviewed=long_ago
    )
    assert run("continuity.risks_assessed").status == NOT_MET


def test_a_plan_is_tested_again_after_a_major_change_to_its_services(ctx):
    from servitium.changes.models import Change
    from tests.changes.conftest import change

    service = factories.service("Email", customers=[ctx.org_a])
    plan = approved_plan(service)
    assert run("continuity.retested_after_major_change").status == NOT_APPLICABLE
    ended = timezone.now() - dt.timedelta(days=120)
    made = change("Move mail to the new platform", services_=[service], start=ended - dt.timedelta(hours=2))
    # the change went through its lifecycle long ago: only its category and actual window matter here
    Change.objects.filter(pk=made.pk).update(
        category="major", actual_start=made.planned_start, actual_end=ended
    )
    result = run("continuity.retested_after_major_change")
    assert result.status == NOT_MET and made.reference in result.message and str(plan) in result.message
    services.continuity_test_create(
        actor=None,
        data={
            "plan": plan,
            "tested_on": ended.date() + dt.timedelta(days=20),
            "scenario": "Site loss",
            "result": "passed",
        },
    )
    assert run("continuity.retested_after_major_change").status == MET
    # a normal change asks for nothing
    Change.objects.filter(pk=made.pk).update(category="normal")
    assert run("continuity.retested_after_major_change").status == NOT_APPLICABLE


def test_revised_plans_are_approved_again_only_under_an_approved_change(ctx, staff):
    from servitium.changes.models import Change
    from servitium.core.errors import TransitionNotAllowed
    from tests.changes.conftest import change

    service = factories.service("Mail", customers=[ctx.org_a])
    continuity = approved_plan(service)
    availability = services.availability_plan_create(
        actor=staff.manager, data={"title": "Availability plan", "requirements_and_targets": "99.9 %"}
    )
    availability = services.availability_plan_transition(
        actor=staff.other, instance=availability, transition="approve"
    )
    assert run("availability.plan_revisions_under_change").status == NOT_APPLICABLE
    continuity = services.continuity_plan_transition(actor=None, instance=continuity, transition="revise")
    assert continuity.revision == 1
    with pytest.raises(TransitionNotAllowed, match="name the change"):
        services.continuity_plan_transition(actor=None, instance=continuity, transition="approve")
    rfc = change("Second mail site", services_=[service])
    continuity = services.continuity_plan_update(actor=None, instance=continuity, data={"change": rfc})
    with pytest.raises(TransitionNotAllowed, match="must be approved first"):
        services.continuity_plan_transition(actor=None, instance=continuity, transition="approve")
    Change.objects.filter(pk=rfc.pk).update(status="approved")  # as the change advisory board decided
    continuity = services.continuity_plan_transition(actor=None, instance=continuity, transition="approve")
    assert run("availability.plan_revisions_under_change").status == MET
    # the availability plan shows a revision without a change (approved before the rule: an insider's edit)
    type(availability).objects.filter(pk=availability.pk).update(revision=1)
    result = run("availability.plan_revisions_under_change")
    assert result.status == PARTLY_MET and [g.object_id for g in result.gaps] == [availability.pk], (
        result.message
    )


def test_availability_requirements_cover_access_rights_and_response_times(ctx):
    from servitium.availability.models import AvailabilityRequirement

    live = factories.service(factories.unique("Mail"))
    requirement = core_services.record_create(
        model=AvailabilityRequirement, data={"service": live, "requirement": "99.9 %"}, actor=None
    )
    for rule in ("access_rights", "response_times"):
        result = REGISTRY[f"availability.requirements_cover_{rule}"].run()
        assert result.status == "not_met" and [g.object_id for g in result.gaps] == [requirement.pk]
    core_services.record_update(
        instance=requirement, data={"access_rights": "Staff of the customer, with sign-in."}, actor=None
    )
    assert REGISTRY["availability.requirements_cover_access_rights"].run().status == "met"
    assert REGISTRY["availability.requirements_cover_response_times"].run().status == "not_met"
