"""The lifecycle of a change through the API alone: approval before implementation, CAB quorum, emergency
changes and their retrospective review, major changes routed to design and transition, standard changes,
unsuccessful changes and their investigation, the post-implementation review, configuration updates."""

from __future__ import annotations

import pytest

from servitium.changes import services
from servitium.changes.models import Change, StandardChangeTemplate
from servitium.core import services as core_services
from servitium.core.models import ChangeRecord
from tests.base import client
from tests.changes.conftest import change

pytestmark = pytest.mark.django_db


def move(user, obj, name, **data):
    return client(user).post(
        f"/api/v1/changes/{obj.pk}/transitions/", {"transition": name, **data}, format="json"
    )


def decide(user, obj, decision="approve", **data):
    return client(user).post(
        f"/api/v1/changes/{obj.pk}/approvals/", {"decision": decision, **data}, format="json"
    )


def status(obj) -> str:
    return Change.objects.get(pk=obj.pk).status


def test_normal_change_cannot_be_implemented_before_approval(chg):
    c = change(cis=[chg.lone])
    assert move(chg.agent, c, "submit").status_code == 200
    response = move(chg.manager, c, "implement")
    assert response.status_code == 409
    assert "cannot be implemented before it is approved" in response.json()["detail"]
    assert status(c) == "submitted"
    names = [t["name"] for t in client(chg.manager).get(f"/api/v1/changes/{c.pk}/transitions/").json()]
    assert "implement" not in names and "approve" in names


def test_cab_quorum_approves_and_members_decide_once(chg):
    c = change(cis=[chg.lone])
    move(chg.agent, c, "submit")
    assert decide(chg.agent, c).status_code == 403  # not a member of the CAB
    assert decide(chg.alice, c).status_code == 201
    assert status(c) == "submitted"
    again = decide(chg.alice, c)
    assert again.status_code == 409 and again.json()["code"] == "already_decided"
    # The change manager cannot short-cut the board before the quorum
    refused = move(chg.manager, c, "approve")
    assert refused.status_code == 409 and "1 of 2 approvals" in refused.json()["detail"]
    assert decide(chg.bob, c, comment="Looks safe").status_code == 201
    body = client(chg.manager).get(f"/api/v1/changes/{c.pk}/").json()
    assert body["status"] == "approved" and body["approved_at"]
    listed = client(chg.agent).get(f"/api/v1/changes/{c.pk}/approvals/").json()
    assert [(a["approver_name"], a["decision"]) for a in listed] == [("alice", "approve"), ("bob", "approve")]
    assert move(chg.agent, c, "implement").status_code == 200


def test_one_rejection_rejects(chg):
    c = change(cis=[chg.lone])
    move(chg.agent, c, "submit")
    decide(chg.alice, c)
    assert decide(chg.carol, c, "reject", comment="No backout plan").status_code == 201
    assert status(c) == "rejected"
    assert decide(chg.bob, c).status_code == 409  # nothing left to decide
    # revised and submitted again, it is decided afresh
    assert move(chg.agent, c, "revise").status_code == 200
    move(chg.agent, c, "submit")
    assert client(chg.agent).get(f"/api/v1/changes/{c.pk}/approvals/").json() == []
    decide(chg.carol, c)
    decide(chg.alice, c)
    assert status(c) == "approved"


def test_agent_cannot_approve_with_the_transition(chg):
    chg.policy.normal_authority = "manager"
    core_services.record_update(instance=chg.policy, data={"normal_authority": "manager"}, actor=None)
    c = change(cis=[chg.lone])
    move(chg.agent, c, "submit")
    assert move(chg.agent, c, "approve").status_code == 403
    assert move(chg.manager, c, "approve").status_code == 200
    assert status(c) == "approved"


def test_emergency_change_implemented_first_then_reviewed_by_the_emergency_board(chg):
    c = change(cis=[chg.lone], category="emergency")
    move(chg.agent, c, "submit")
    response = move(chg.agent, c, "implement")
    assert response.status_code == 200
    assert response.json()["retrospective_review_required"] is True
    move(chg.agent, c, "complete")
    move(chg.agent, c, "review", review_notes="Fixed the outage", objectives_met=True)
    closing = move(chg.manager, c, "close")
    assert closing.status_code == 409 and "retrospective" in closing.json()["detail"]
    assert decide(chg.alice, c).status_code == 403  # the CAB is not the emergency board
    assert decide(chg.ed, c, comment="Justified").status_code == 201
    body = client(chg.manager).get(f"/api/v1/changes/{c.pk}/").json()
    assert body["retrospective_review_required"] is False and body["retrospective_decision"] == "approve"
    assert move(chg.manager, c, "close").status_code == 200


def test_service_removal_is_refused_as_normal_and_routed_to_design_as_major(chg):
    payload = {"title": "Retire Mail", "change_type": "service_removal", "affected_services": [chg.svc.pk]}
    refused = client(chg.agent).post("/api/v1/changes/", {**payload, "category": "normal"}, format="json")
    assert refused.status_code == 400 and "major" in refused.json()["category"][0]
    assert not Change.objects.filter(title="Retire Mail").exists()
    created = client(chg.agent).post("/api/v1/changes/", {**payload, "category": "major"}, format="json")
    assert created.status_code == 201
    c = Change.objects.get(pk=created.json()["id"])
    response = move(chg.agent, c, "submit")
    assert response.status_code == 200
    assert response.json()["routed_to_design"] is True and response.json()["status"] == "submitted"


def test_normal_change_meeting_major_criteria_is_refused_on_submit(chg, ctx):
    core_services.record_update(instance=chg.policy, data={"major_customer_threshold": 2}, actor=None)
    c = change(cis=[chg.app], services_=[chg.svc, chg.other_svc])  # org_a and org_b
    response = move(chg.agent, c, "submit")
    assert response.status_code == 409 and response.json()["code"] == "major_change"
    assert "2 customers" in response.json()["detail"]
    assert status(c) == "draft"


def test_standard_change_from_template_is_approved_on_submit(chg):
    template = core_services.record_create(
        model=StandardChangeTemplate,
        data={"name": "Restart a VM", "implementation_steps": "Drain, restart, check"},
        actor=None,
        m2m={"allowed_ci_types": [chg.server_type]},
    )
    missing = client(chg.agent).post(
        "/api/v1/changes/", {"title": "x", "category": "standard"}, format="json"
    )
    assert missing.status_code == 400 and "template" in missing.json()
    c = change(cis=[chg.vm], category="standard", template=template)
    response = move(chg.agent, c, "submit")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    wrong = change(cis=[chg.app], category="standard", template=template)
    refused = move(chg.agent, wrong, "submit")
    assert refused.status_code == 400 and "affected_cis" in refused.json()
    assert status(wrong) == "draft"


def test_failed_change_needs_reason_and_investigation_before_review(chg):
    core_services.record_update(instance=chg.policy, data={"normal_authority": "manager"}, actor=None)
    c = change(cis=[chg.lone])
    move(chg.agent, c, "submit")
    move(chg.manager, c, "approve")
    move(chg.agent, c, "implement")
    no_reason = move(chg.agent, c, "back_out")
    assert no_reason.status_code == 400 and "failure_reason" in no_reason.json()
    assert move(chg.agent, c, "back_out", failure_reason="Disk full").json()["outcome"] == "backed_out"
    early = move(chg.agent, c, "review", review_notes="Went wrong", objectives_met=False)
    assert early.status_code == 400
    assert set(early.json()) == {"investigation_cause", "investigation_actions"}
    assert status(c) == "backed_out"
    done = move(
        chg.agent,
        c,
        "review",
        review_notes="Went wrong",
        objectives_met=False,
        investigation_cause="No space check in the plan",
        investigation_actions="Add a pre-check to the template",
    )
    assert done.status_code == 200 and done.json()["status"] == "reviewed"
    assert move(chg.manager, c, "close").json()["status"] == "closed"
    assert (
        client(chg.agent).patch(f"/api/v1/changes/{c.pk}/", {"title": "x"}, format="json").status_code == 409
    )


def test_review_is_required_before_close(chg):
    core_services.record_update(instance=chg.policy, data={"normal_authority": "manager"}, actor=None)
    c = change(cis=[chg.lone])
    for user, name in [(chg.agent, "submit"), (chg.manager, "approve"), (chg.agent, "implement")]:
        move(user, c, name)
    move(chg.agent, c, "complete")
    assert move(chg.manager, c, "close").status_code == 409
    assert move(chg.agent, c, "review", review_notes="ok").status_code == 400  # objectives_met missing


def test_configuration_updates_applied_on_completion_and_in_the_ci_change_log(chg):
    core_services.record_update(instance=chg.policy, data={"normal_authority": "manager"}, actor=None)
    c = change(cis=[chg.app, chg.vm])
    api = client(chg.agent)
    first = api.post(
        "/api/v1/change-configuration-updates/",
        {"change": c.pk, "ci": chg.app.pk, "field": "version", "new_value": "5.2"},
        format="json",
    )
    assert first.status_code == 201, first.json()
    second = api.post(
        "/api/v1/change-configuration-updates/",
        {"change": c.pk, "ci": chg.app.pk, "field": "attribute", "attribute": "tier", "new_value": "gold"},
        format="json",
    )
    assert second.status_code == 201
    outside = api.post(
        "/api/v1/change-configuration-updates/",
        {"change": c.pk, "ci": chg.lone.pk, "field": "version", "new_value": "1"},
        format="json",
    )
    assert outside.status_code == 400 and "ci" in outside.json()
    for user, name in [(chg.agent, "submit"), (chg.manager, "approve"), (chg.agent, "implement")]:
        assert move(user, c, name).status_code == 200
    assert move(chg.agent, c, "complete").status_code == 200
    chg.app.refresh_from_db()
    assert chg.app.version == "5.2" and chg.app.attributes == {"tier": "gold"}
    log = (
        client(chg.manager)
        .get(
            "/api/v1/changelog/",
            {"object_type": "cmdb.configurationitem", "object_id": chg.app.pk, "action": "update"},
        )
        .json()["results"]
    )
    changed = {name for row in log for name in row["changes"]}
    assert {"version", "attributes"} <= changed
    applied = api.get("/api/v1/change-configuration-updates/", {"change": c.pk}).json()["results"]
    assert all(row["applied_at"] for row in applied)


def test_bad_attribute_update_stops_completion(chg):
    core_services.record_update(instance=chg.policy, data={"normal_authority": "manager"}, actor=None)
    c = change(cis=[chg.app])
    services.configuration_update_create(
        actor=None,
        data={"change": c, "ci": chg.app, "field": "attribute", "attribute": "tier", "new_value": 7},
    )
    for user, name in [(chg.agent, "submit"), (chg.manager, "approve"), (chg.agent, "implement")]:
        move(user, c, name)
    before = ChangeRecord.objects.count()
    response = move(chg.agent, c, "complete")
    assert response.status_code == 400 and "configuration_updates" in response.json()
    assert status(c) == "implementing" and ChangeRecord.objects.count() == before


def test_system_fields_are_not_writable(chg):
    c = change(cis=[chg.lone])
    response = client(chg.agent).patch(f"/api/v1/changes/{c.pk}/", {"status": "approved"}, format="json")
    assert status(c) == "draft"
    assert response.status_code == 400 and "status" in response.json()  # only transitions move it
    stamped = client(chg.agent).patch(
        f"/api/v1/changes/{c.pk}/", {"approved_at": "2026-01-01T00:00:00Z"}, format="json"
    )
    c.refresh_from_db()
    assert stamped.status_code == 400 and "approved_at" in stamped.json()  # the lifecycle's to write
    assert c.approved_at is None


def test_scope_is_fixed_once_approved(chg):
    core_services.record_update(instance=chg.policy, data={"normal_authority": "manager"}, actor=None)
    c = change(cis=[chg.lone])
    move(chg.agent, c, "submit")
    move(chg.manager, c, "approve")
    response = client(chg.agent).patch(
        f"/api/v1/changes/{c.pk}/", {"affected_cis": [chg.vm.pk]}, format="json"
    )
    assert response.status_code == 400 and "affected_cis" in response.json()
    same = {"affected_cis": [chg.lone.pk], "category": "normal", "test_plan": "Ping it"}
    assert client(chg.agent).patch(f"/api/v1/changes/{c.pk}/", same, format="json").status_code == 200


def test_services_are_prefilled_from_the_impact_of_the_cis(chg):
    response = client(chg.agent).post(
        "/api/v1/changes/", {"title": "Patch host", "affected_cis": [chg.host.pk]}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    # host-1 serves Compute; mail-app runs on vm-1 which runs on host-1: Mail is affected too
    assert sorted(body["affected_services"]) == sorted([chg.svc.pk, chg.other_svc.pk])
    assert set(body["affected_customers"]) >= {chg.svc.customers.first().pk}


def test_list_queries_do_not_grow_with_changes(chg, django_assert_max_num_queries):
    for i in range(3):
        change(f"c{i}", cis=[chg.app, chg.vm])
    api = client(chg.agent)
    api.get("/api/v1/changes/")
    with django_assert_max_num_queries(12) as few:
        api.get("/api/v1/changes/")
    for i in range(10):
        change(f"d{i}", cis=[chg.app, chg.vm])
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = api.get("/api/v1/changes/").json()
    assert body["count"] == 13 and all(row["affected_customers"] for row in body["results"])
