"""The design and transition checks, both ways: a well-kept project meets them; each planted gap fails the
check bound to its leaf and names the project; a project that has not reached a stage is no evidence."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from django.utils import timezone

import servitium
from servitium.catalog import services as catalog_services
from servitium.core import services as core_services
from servitium.core.checks import MET, NOT_APPLICABLE, NOT_MET, PARTLY_MET, REGISTRY
from servitium.design import services
from servitium.design.checks import DESIGN_RULES, PLANNING_RULES
from servitium.design.models import DesignProject, ServiceRequirement
from tests import factories
from tests.agreements.test_agreements import agreed
from tests.changes.conftest import change
from tests.design.conftest import move, project, release_for, requirement, to_acceptance

FAILING = (NOT_MET, PARTLY_MET)


def run(check_id: str):
    return REGISTRY[check_id].run()


def ours():
    return [c for c in REGISTRY.values() if c.id.startswith("design.")]


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
    bound = set()
    for check in ours():
        assert set(check.requirements) <= leaves, check.id
        bound |= set(check.requirements)
    expected = [f"5.2.{x}" for x in "abcdefghij"] + [f"5.3.{x}" for x in "abcdefghijk"]
    expected += ["5.1.s1", "5.1.s5", "5.2.s1", "5.2.s2", "5.2.s3", "5.2.s4"]
    expected += ["5.4.s1", "5.4.s2", "5.4.s3", "5.4.s4", "5.4.s5"]
    for leaf in expected:
        assert f"iso20000-1:2011#{leaf}" in bound, leaf
    for leaf in ("8.2.2.s1", "8.5.2.1.s1", "8.5.2.1.s2", "8.5.2.1.s3", "8.5.2.3.s1", "8.5.2.3.s4"):
        assert f"iso20000-1:2018#{leaf}" in bound, leaf
    for letter in "abcdefgh":
        assert f"iso20000-1:2018#8.5.2.1.{letter}" in bound
    for letter in "abcdefg":
        assert f"iso20000-1:2018#8.5.2.2.{letter}" in bound


@pytest.fixture
def kept(ctx, staff):
    """A project taken through every stage and closed, as it should be."""
    made = to_acceptance(ctx, staff)
    major = change("Introduce widgets", category="major", change_type="service_change")
    services.criterion_update(
        actor=None, instance=made.criteria.get(), data={"result": "met", "evidence": "OK"}
    )
    services.project_update(actor=None, instance=made, data={"change": major})
    move(made, "pass_acceptance", staff.manager2)
    sla = agreed(ctx.org_a, staff.service)
    services.project_update(
        actor=None,
        instance=made,
        data={"transition_report": "Done."},
        m2m={"releases": [release_for(staff.service)], "agreements": [sla]},
    )
    move(made, "complete_transition", staff.manager)
    services.outcome_update(actor=None, instance=made.outcomes.get(), data={"achieved": "3", "met": True})
    services.project_update(
        actor=None, instance=made, data={"review_conclusions": "Met.", "reported_to": "Customer board."}
    )
    return move(made, "close", staff.manager)


def test_a_well_kept_project_meets_every_check(kept):
    results = {c.id: c.run() for c in ours()}
    failing = {k: r.message for k, r in results.items() if r.status in FAILING}
    assert failing == {}
    for check_id in (
        "design.plan_authorities",
        "design.plan_measurable_outcomes",
        "design.design_technology",
        "design.design_slas",
        "design.tested",
        "design.acceptance_verified",
        "design.deployed_through_release",
        "design.outcomes_reported",
        "design.outputs_reviewed",
        "design.planning_agreed",
    ):
        assert results[check_id].status == MET, check_id


PLANNING_FIELDS = {
    "plan_authorities": "authorities",
    "plan_party_activities": "party_activities",
    "plan_communication": "communication",
    "plan_resources": "resources_information",
    "plan_timescales": "milestones",
    "plan_risks": "risks",
    "plan_dependencies": "dependencies",
    "plan_testing": "testing",
    "plan_impacts": "impacts_sms",
}
DESIGN_FIELDS = {
    "design_responsibilities": "delivery_responsibilities",
    "design_activities": "delivery_activities",
    "design_staffing": "staffing",
    "design_financial_needs": "financial_needs",
    "design_technology": "technology",
    "design_plans_policies": "plans_and_policies",
    "design_contracts": "agreements_notes",
    "design_sms_changes": "sms_changes",
    "design_catalogue": "catalogue_updates",
    "design_procedures": "procedures",
    "design_other_services": "effect_on_services",
}


def test_every_item_rule_is_tested():
    assert {r[0] for r in PLANNING_RULES} - set(PLANNING_FIELDS) == {
        "plan_acceptance_criteria",
        "plan_measurable_outcomes",
    }
    assert {r[0] for r in DESIGN_RULES} == set(DESIGN_FIELDS)


@pytest.mark.parametrize(("rule_id", "field"), sorted({**PLANNING_FIELDS, **DESIGN_FIELDS}.items()))
def test_an_item_left_out_fails_its_check(kept, rule_id, field):
    DesignProject.objects.filter(pk=kept.pk).update(**{field: ""})
    result = run(f"design.{rule_id}")
    assert result.status == NOT_MET and kept.reference in result.message


def test_a_project_past_planning_without_outcomes_fails(kept):
    kept.outcomes.all().delete()
    result = run("design.plan_measurable_outcomes")
    assert result.status == NOT_MET and kept.reference in result.message
    assert run("design.outcomes_reported").status == NOT_MET


def test_a_project_still_planning_is_no_evidence(ctx, staff):
    project(staff.service)
    for check_id in (
        "design.plan_risks",
        "design.design_technology",
        "design.tested",
        "design.outcomes_reported",
    ):
        assert run(check_id).status == NOT_APPLICABLE, check_id


def test_failed_criteria_need_a_decision(kept, staff):
    kept.criteria.update(result="not_met")
    assert run("design.decision_on_failed_criteria").status == NOT_MET
    DesignProject.objects.filter(pk=kept.pk).update(
        deploy_decision="deploy", decision_by=staff.contact, decision_reason="Accepted by the customer."
    )
    assert run("design.decision_on_failed_criteria").status == MET


def test_unagreed_requirements_fail(kept, ctx, staff):
    old = requirement(staff.service, ctx.org_a)
    ServiceRequirement.objects.filter(pk=old.pk).update(
        raised_on=timezone.localdate() - dt.timedelta(days=90)
    )
    assert run("design.requirements_decided").status in FAILING
    kept.requirements.add(old)
    result = run("design.planning_agreed")
    assert result.status == NOT_MET and kept.reference in result.message


def test_a_removal_without_handover_items_fails(ctx, staff):
    removal = project(staff.service, kind="removal")
    assert run("design.removal_planned").status == NOT_APPLICABLE
    DesignProject.objects.filter(pk=removal.pk).update(status="design")
    assert run("design.removal_planned").status == NOT_MET


def test_a_new_service_without_a_release_fails(kept):
    kept.releases.clear()
    assert run("design.deployed_through_release").status == NOT_MET


def test_a_major_change_without_a_project_fails(kept, staff):
    assert run("design.major_changes_have_projects").status == NOT_APPLICABLE
    lone = change("Replace the platform", category="major", change_type="service_change")
    core_services.record_update(
        instance=lone, data={}, derived={"status": "submitted", "routed_to_design": True}, actor=None
    )
    assert run("design.major_changes_have_projects").status == NOT_MET
    services.project_create(
        actor=None, data={"title": "Platform", "kind": "changed", "service": staff.service, "change": lone}
    )
    assert run("design.major_changes_have_projects").status == MET


def test_a_pipeline_service_needs_a_project_for_it(ctx, staff):
    rule = "design.new_services_have_projects"
    assert "iso20000-1:2018#8.5.1.2.s2" in REGISTRY[rule].requirements
    result = run(rule)
    assert result.status == NOT_MET
    assert [g.object_id for g in result.gaps] == [staff.service.pk]
    made = services.project_create(
        actor=None, data={"title": "Widgets", "kind": "new", "service": staff.service}
    )
    assert run(rule).status == MET
    move(made, "cancel", staff.manager)  # a cancelled project brings nothing in
    assert run(rule).status == NOT_MET
    catalog_services.service_transition(actor=None, instance=staff.service, transition="go_live")
    assert run(rule).status == NOT_APPLICABLE  # nothing left in the pipeline


def test_a_live_service_needs_agreed_requirements(ctx, staff):
    rule = "design.live_services_have_agreed_requirements"
    assert run(rule).status == NOT_APPLICABLE  # the only service is still in the pipeline
    catalog_services.service_transition(actor=None, instance=staff.service, transition="go_live")
    requirement(staff.service, ctx.org_a)  # proposed only
    result = run(rule)
    assert result.status == NOT_MET
    assert [g.object_id for g in result.gaps] == [staff.service.pk]
    requirement(staff.service, ctx.org_a, agreed_by=staff.contact)
    assert run(rule).status == MET


def test_an_agreed_requirement_changes_only_under_an_authorised_change(ctx, staff):
    """2011 7.1.s5: once agreed, what a requirement says changes only when the update names an authorised
    change (400 on `change` otherwise, nothing written); the revision is counted, and a revision written
    around the service (an insider's edit) fails the rule naming the requirement."""
    from servitium.changes import services as change_services
    from servitium.changes.models import Change
    from tests.base import client
    from tests.design.builders import closed_change

    rule = "design.requirement_changes_controlled"
    made = requirement(staff.service, ctx.org_a, agreed_by=staff.contact)
    api = client(staff.manager)
    url = f"/api/v1/service-requirements/{made.pk}/"
    refused = api.patch(url, {"statement": "Widgets spin twice as fast."}, format="json")
    assert refused.status_code == 400 and "change" in refused.json()
    draft = change("Faster widgets", services_=[staff.service])
    refused = api.patch(url, {"statement": "Widgets spin twice as fast.", "change": draft.pk}, format="json")
    assert refused.status_code == 400 and "not authorised" in str(refused.json()["change"])
    made.refresh_from_db()
    assert made.statement == "Widgets spin." and made.revision == 0
    assert api.patch(url, {"source": "Kick-off meeting"}, format="json").status_code == 200  # not content
    assert run(rule).status == NOT_APPLICABLE
    manager = factories.user("chm", ctx.provider, ["change-manager"])
    change_services.policy_create(
        actor=None,
        data={
            "name": "Change policy",
            "normal_authority": "manager",
            "major_authority": "manager",
            "emergency_authority": "manager",
        },
    )
    approved = closed_change(staff.service, manager=manager)
    done = api.patch(url, {"statement": "Widgets spin twice as fast.", "change": approved.pk}, format="json")
    assert done.status_code == 200, done.json()
    assert done.json()["revision"] == 1 and done.json()["change"] == approved.pk
    assert run(rule).status == MET
    # The same change cannot cover a second revision; an insider's edit leaves the rule failing.
    again = api.patch(
        url, {"statement": "Widgets spin thrice as fast.", "change": approved.pk}, format="json"
    )
    assert again.status_code == 400
    ServiceRequirement.objects.filter(pk=made.pk).update(revision=2, change=None)
    result = run(rule)
    assert result.status == NOT_MET and [g.object_id for g in result.gaps] == [made.pk]
    assert Change.objects.filter(pk=approved.pk, status="closed").exists()
