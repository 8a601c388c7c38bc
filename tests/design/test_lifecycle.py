"""The rules of requirements and projects: agreement by a named person, each stage refused with what it
still lacks (HTTP 409 naming it), acceptance signed off by someone other than the author, a decision when
criteria fail, an ended project kept as it ended, handover items only for removals and transfers."""

from __future__ import annotations

from servitium.core import services as core_services
from servitium.design import services
from servitium.design.models import DesignProject, HandoverItem
from tests.base import client
from tests.design.conftest import (
    FULL_DESIGN,
    criterion,
    move,
    planned,
    project,
    release_for,
    requirement,
    to_acceptance,
)


def _transition(user, made, name, **extra):
    return client(user).post(
        f"/api/v1/design-projects/{made.pk}/transitions/", {"transition": name, **extra}, format="json"
    )


def test_a_requirement_is_agreed_by_a_named_person(ctx, staff):
    made = requirement(staff.service, ctx.org_a)
    url = f"/api/v1/service-requirements/{made.pk}/transitions/"
    refused = client(staff.agent).post(url, {"transition": "agree"}, format="json")
    assert refused.status_code == 409 and "agreed_by" in refused.json()["detail"]
    patched = client(staff.agent).patch(
        f"/api/v1/service-requirements/{made.pk}/", {"agreed_by": staff.contact.pk}, format="json"
    )
    assert patched.status_code == 200
    agreed = client(staff.agent).post(url, {"transition": "agree"}, format="json")
    assert agreed.status_code == 200 and agreed.json()["status"] == "agreed" and agreed.json()["agreed_on"]


def test_the_person_who_agreed_belongs_to_the_customer_or_the_provider(ctx, staff):
    from tests import factories

    stranger = factories.person("Other Org Person", ctx.org_b)
    made = requirement(staff.service, ctx.org_a)
    response = client(staff.agent).patch(
        f"/api/v1/service-requirements/{made.pk}/", {"agreed_by": stranger.pk}, format="json"
    )
    assert response.status_code == 400 and "agreed_by" in response.json()


def test_design_waits_for_a_complete_plan_agreed_with_the_customer(ctx, staff):
    bare = project(staff.service)
    refused = _transition(staff.manager, bare, "approve_plan")
    assert refused.status_code == 409
    detail = refused.json()["detail"]
    for item in ("authorities", "risks", "testing", "acceptance criteria", "measurable expected outcomes"):
        assert item in detail
    assert "plan_agreed_by" in detail
    made = planned(ctx, staff)
    core_services.record_update(instance=made, data={"plan_agreed_by": None}, actor=None)
    assert "plan_agreed_by" in _transition(staff.manager, made, "approve_plan").json()["detail"]
    core_services.record_update(instance=made, data={"plan_agreed_by": staff.contact}, actor=None)
    approved = _transition(staff.manager, made, "approve_plan")
    assert approved.status_code == 200 and approved.json()["status"] == "design"
    assert approved.json()["planning_approved_by"] == staff.manager.pk


def test_build_waits_for_the_design_and_acceptance_for_the_tests(ctx, staff):
    made = planned(ctx, staff)
    move(made, "approve_plan", staff.manager)
    refused = _transition(staff.manager, made, "approve_design")
    assert refused.status_code == 409 and "technology" in refused.json()["detail"]
    services.project_update(actor=None, instance=made, data=FULL_DESIGN)
    assert _transition(staff.manager, made, "approve_design").status_code == 200
    refused = _transition(staff.manager, made, "start_acceptance")
    assert refused.status_code == 409 and "test_results" in refused.json()["detail"]


def test_acceptance_needs_every_criterion_and_a_decision_on_failed_ones(ctx, staff):
    made = to_acceptance(ctx, staff)
    refused = _transition(staff.manager2, made, "pass_acceptance")
    assert refused.status_code == 409 and "not evaluated" in refused.json()["detail"]
    first = made.criteria.get()
    services.criterion_update(actor=None, instance=first, data={"result": "not_met", "evidence": "Took 2x."})
    first.refresh_from_db()
    assert first.evaluated_on is not None
    refused = _transition(staff.manager2, made, "pass_acceptance")
    assert refused.status_code == 409 and "deploy_decision" in refused.json()["detail"]
    services.project_update(
        actor=None,
        instance=made,
        data={
            "deploy_decision": "do_not_deploy",
            "decision_by": staff.contact,
            "decision_reason": "Too slow.",
        },
    )
    assert "rework" in _transition(staff.manager2, made, "pass_acceptance").json()["detail"]
    services.project_update(
        actor=None,
        instance=made,
        data={"deploy_decision": "deploy", "decision_reason": "Customer accepts 2x."},
    )
    passed = _transition(staff.manager2, made, "pass_acceptance")
    assert passed.status_code == 200 and passed.json()["status"] == "transition"
    assert passed.json()["accepted_by"] == staff.manager2.pk


def test_the_author_does_not_sign_off_acceptance(ctx, staff):
    made = to_acceptance(ctx, staff)
    DesignProject.objects.filter(pk=made.pk).update(author=staff.manager)
    services.criterion_update(
        actor=None, instance=made.criteria.get(), data={"result": "met", "evidence": "Report 7."}
    )
    refused = _transition(staff.manager, made, "pass_acceptance")
    assert refused.status_code == 400 and refused.json()["code"] == "approver_is_author"
    assert DesignProject.objects.get(pk=made.pk).status == "acceptance"
    assert _transition(staff.manager2, made, "pass_acceptance").status_code == 200


def test_review_and_closing_need_the_report_release_outcomes_and_conclusions(ctx, staff):
    made = to_acceptance(ctx, staff)
    services.criterion_update(
        actor=None, instance=made.criteria.get(), data={"result": "met", "evidence": "OK"}
    )
    move(made, "pass_acceptance", staff.manager2)
    refused = _transition(staff.manager, made, "complete_transition")
    assert refused.status_code == 409
    assert "transition report" in refused.json()["detail"] and "release" in refused.json()["detail"]
    services.project_update(
        actor=None,
        instance=made,
        data={"transition_report": "Deployed in two waves."},
        m2m={"releases": [release_for(staff.service)]},
    )
    assert _transition(staff.manager, made, "complete_transition").status_code == 200
    refused = _transition(staff.manager, made, "close")
    assert refused.status_code == 409
    for item in ("achieved value", "review conclusions", "reported"):
        assert item in refused.json()["detail"]
    services.outcome_update(actor=None, instance=made.outcomes.get(), data={"achieved": "3", "met": True})
    services.project_update(
        actor=None,
        instance=made,
        data={"review_conclusions": "Met its targets.", "reported_to": "Customer board, 3 June, by mail."},
    )
    closed = _transition(staff.manager, made, "close")
    assert closed.status_code == 200 and closed.json()["status"] == "closed" and closed.json()["reviewed_at"]
    kept = client(staff.manager).patch(f"/api/v1/design-projects/{made.pk}/", {"risks": "x"}, format="json")
    assert kept.status_code == 409


def test_handover_items_belong_to_removals_and_transfers_and_must_be_done_to_close(ctx, staff):
    new = project(staff.service)
    refused = client(staff.agent).post(
        "/api/v1/handover-items/",
        {"project": new.pk, "kind": "data", "description": "x", "action": "archive"},
        format="json",
    )
    assert refused.status_code == 400 and "project" in refused.json()
    removal = project(staff.service, kind="removal")
    wrong = client(staff.agent).post(
        "/api/v1/handover-items/",
        {"project": removal.pk, "kind": "data", "description": "x", "action": "archive", "contract": None},
        format="json",
    )
    assert wrong.status_code == 201
    item = HandoverItem.objects.get(pk=wrong.json()["id"])
    DesignProject.objects.filter(pk=removal.pk).update(
        status="review", review_conclusions="Done.", reported_to="Customers by letter."
    )
    removal.refresh_from_db()
    refused = _transition(staff.manager, removal, "close")
    assert refused.status_code == 409 and "handover item" in refused.json()["detail"]
    services.handover_update(actor=None, instance=item, data={"done_at": "2026-01-02"})
    assert _transition(staff.manager, removal, "close").status_code == 200


def test_a_criterion_result_needs_evidence(ctx, staff):
    made = project(staff.service)
    response = client(staff.agent).post(
        "/api/v1/design-acceptance-criteria/",
        {"project": made.pk, "criterion": "Fast", "result": "met"},
        format="json",
    )
    assert response.status_code == 400 and "evidence" in response.json()
    assert not made.criteria.exists()
    assert criterion(made).evaluated_on is None
