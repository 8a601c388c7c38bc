"""The REST resources of the improvement register: generated suites, and the lifecycle over HTTP, with the
done-when rule: a nonconformity cannot close before its effectiveness check."""

from __future__ import annotations

from servitium.core.models import ChangeRecord
from servitium.improvement import services
from servitium.improvement.models import CorrectiveAction, ImprovementOpportunity, Nonconformity
from tests.base import RecordAPISuite, client

from .conftest import DUE, nonconformity, opportunity, to_action_done


class TestNonconformityAPI(RecordAPISuite):
    endpoint = "nonconformities"
    model = Nonconformity
    writer_roles = ["sms-agent"]
    foreign_roles = ["incident-manager", "catalog-manager"]
    customer_visible = False
    deletable = False

    def make(self, ctx):
        return nonconformity()

    def create_payload(self, ctx):
        return {
            "source_kind": "external_audit",
            "source_reference": "Stage 1 report",
            "grade": "major",
            "requirement": "iso20000-1:2018#9.2.2.a",
            "description": "No audit programme for the year.",
        }

    def invalid_payload(self, ctx):
        return {"description": "", "grade": "critical"}

    def update_payload(self, ctx):
        return {"root_cause": "Nobody owned the programme.", "due_date": "2026-12-31"}


class TestCorrectiveActionAPI(RecordAPISuite):
    endpoint = "corrective-actions"
    model = CorrectiveAction
    writer_roles = ["sms-agent"]
    foreign_roles = ["incident-manager"]
    customer_visible = False
    deletable = False

    def make(self, ctx):
        return services.corrective_action_create(
            actor=None,
            data={"nonconformity": nonconformity(), "description": "Train the CAB", "due_date": DUE},
        )

    def create_payload(self, ctx):
        from tests import factories

        return {
            "nonconformity": nonconformity().pk,
            "description": "Write the audit programme",
            "owner": factories.person("Pat Planner", ctx.provider).pk,
            "due_date": "2026-11-30",
        }

    def invalid_payload(self, ctx):
        return {"description": "No nonconformity, no owner"}

    def update_payload(self, ctx):
        return {"due_date": "2027-01-15"}


class TestOpportunityAPI(RecordAPISuite):
    endpoint = "improvement-opportunities"
    model = ImprovementOpportunity
    writer_roles = ["sms-agent"]
    foreign_roles = ["incident-manager"]
    customer_visible = False
    deletable = False

    def make(self, ctx):
        return opportunity(customer=ctx.org_a)

    def create_payload(self, ctx):
        return {
            "source_kind": "complaint",
            "description": "Reports on time",
            "customer": ctx.org_a.pk,
            "priority": 1,
        }

    def invalid_payload(self, ctx):
        return {"source_kind": "dream", "description": ""}

    def update_payload(self, ctx):
        return {"benefit": "Fewer complaints about late reports", "priority": 3}


def step(user, nc, **data):
    return client(user).post(f"/api/v1/nonconformities/{nc.pk}/transitions/", data, format="json")


def test_a_nonconformity_cannot_close_before_its_effectiveness_check(ctx, staff):
    """The done-when line, through the API alone: every stage refuses `close` with the reason, and an
    effectiveness check that finds the actions not effective sends it back to cause analysis."""
    api = client(staff.agent)
    created = api.post("/api/v1/nonconformities/", TestNonconformityAPI().create_payload(ctx), format="json")
    assert created.status_code == 201, created.json()
    nc = Nonconformity.objects.get(pk=created.json()["id"])
    assert nc.reference.startswith("NC") and nc.status == "open"

    def refused_close():
        response = step(staff.agent, nc, transition="close")
        assert response.status_code == 409, response.json()
        assert "cannot close before its effectiveness check" in response.json()["detail"]
        assert Nonconformity.objects.get(pk=nc.pk).status != "closed"

    refused_close()
    assert step(staff.agent, nc, transition="record_correction").status_code == 400  # needs the correction
    assert (
        step(staff.agent, nc, transition="record_correction", correction="Draft programme").status_code == 200
    )
    refused_close()
    response = step(staff.agent, nc, transition="analyse_cause", root_cause="No owner")
    assert response.json()["status"] == "cause_analysed"
    response = step(staff.agent, nc, transition="plan_action")
    assert response.status_code == 409 and "corrective action" in response.json()["detail"]
    action = api.post(
        "/api/v1/corrective-actions/",
        {
            "nonconformity": nc.pk,
            "description": "Adopt the programme",
            "owner": staff.owner.pk,
            "due_date": "2026-12-01",
        },
        format="json",
    ).json()
    assert step(staff.agent, nc, transition="plan_action").status_code == 200
    response = step(staff.agent, nc, transition="complete_action")
    assert response.status_code == 409 and "Adopt the programme" in response.json()["detail"]
    done = api.post(
        f"/api/v1/corrective-actions/{action['id']}/transitions/", {"transition": "complete"}, format="json"
    )
    assert done.status_code == 200 and done.json()["done_on"]
    assert step(staff.agent, nc, transition="complete_action").status_code == 200
    refused_close()
    assert step(staff.agent, nc, transition="effective").status_code == 400  # the method is needed
    response = step(
        staff.agent, nc, transition="not_effective", effectiveness_method="Sampled 10 changes: 3 bypassed"
    )
    body = response.json()
    assert (body["status"], body["effectiveness_result"]) == ("cause_analysed", "not_effective")
    assert body["effectiveness_checked_by"] == staff.agent_person.pk
    refused_close()
    # A new action, done, and a check that finds it effective.
    second = services.corrective_action_create(
        actor=None,
        data={
            "nonconformity": nc,
            "description": "Tooling blocks bypass",
            "owner": staff.owner,
            "due_date": DUE,
        },
    )
    services.corrective_action_transition(actor=None, instance=second, transition="complete")
    assert step(staff.agent, nc, transition="plan_action").status_code == 200
    assert step(staff.agent, nc, transition="complete_action").status_code == 200
    response = step(staff.agent, nc, transition="effective", effectiveness_method="Sampled 20 changes: none")
    assert response.json()["status"] == "verified"
    assert [
        t["name"] for t in client(staff.agent).get(f"/api/v1/nonconformities/{nc.pk}/transitions/").json()
    ] == ["close"]
    closed = step(staff.agent, nc, transition="close")
    assert closed.status_code == 200 and closed.json()["status"] == "closed" and closed.json()["closed_at"]
    assert sorted(closed.json()["actions"]) == sorted([action["id"], second.pk])


def test_closed_nonconformities_are_kept_as_they_were(ctx, staff):
    nc = to_action_done(nonconformity(), staff.owner)
    nc = services.nonconformity_transition(
        actor=None, instance=nc, transition="effective", data={"effectiveness_method": "Re-audit"}
    )
    nc = services.nonconformity_transition(actor=None, instance=nc, transition="close")
    api = client(staff.manager)
    response = api.patch(f"/api/v1/nonconformities/{nc.pk}/", {"description": "rewritten"}, format="json")
    assert response.status_code == 409
    refused = api.post(
        "/api/v1/corrective-actions/",
        {"nonconformity": nc.pk, "description": "late", "owner": staff.owner.pk, "due_date": "2026-12-01"},
        format="json",
    )
    assert refused.status_code == 400 and "nonconformity" in refused.json()
    assert api.delete(f"/api/v1/nonconformities/{nc.pk}/").status_code == 403  # no role deletes


def test_source_check_and_status_are_not_written_by_people(ctx, staff):
    api = client(staff.agent)
    before = ChangeRecord.objects.count()
    for field, value in (("check_id", "x.y"), ("status", "closed"), ("effectiveness_result", "effective")):
        response = api.post("/api/v1/nonconformities/", {"description": "x", field: value}, format="json")
        assert response.status_code == 400 and field in response.json(), field
    assert ChangeRecord.objects.count() == before
    nc = nonconformity(requirement="iso20000-1:2018#10.1.a")
    response = api.patch(
        f"/api/v1/nonconformities/{nc.pk}/", {"requirement": "iso20000-1:2018#9.2.2.a"}, format="json"
    )
    assert response.status_code == 400 and "requirement" in response.json()


def test_services_open_once_per_source(ctx, staff):
    """Other apps call nonconformity_open / opportunity_raise each time they see the finding: one entry."""
    source = staff.owner  # any record serves as the source here
    first = nonconformity(source=source, requirement="iso20000-1:2018#8.1")
    assert nonconformity(source=source, requirement="iso20000-1:2018#8.1") == first
    assert nonconformity(source=source, requirement="iso20000-1:2018#8.2") != first
    assert first.source == source and first.source_reference == str(source)
    body = client(staff.agent).get(f"/api/v1/nonconformities/{first.pk}/").json()
    assert body["source_object_type"] == "parties.person" and body["source_id"] == source.pk
    raised = opportunity(source=source, kind="complaint")
    assert opportunity(source=source, kind="complaint") == raised
    assert ImprovementOpportunity.objects.count() == 1


def test_opportunity_lifecycle(ctx, staff):
    ofi = opportunity()
    url = f"/api/v1/improvement-opportunities/{ofi.pk}/"
    api = client(staff.agent)
    response = api.post(url + "transitions/", {"transition": "approve"}, format="json")
    assert response.status_code == 409 and "target" in response.json()["detail"]
    assert api.post(url + "transitions/", {"transition": "reject"}, format="json").status_code == 400
    plan = {
        "owner": staff.owner.pk,
        "target": "Password tickets -40 %",
        "target_date": "2026-12-31",
        "benefit": "Less toil",
    }
    assert api.patch(url, plan, format="json").status_code == 200
    for name in ("approve", "start", "implement"):
        response = api.post(url + "transitions/", {"transition": name}, format="json")
        assert response.status_code == 200, (name, response.json())
    assert response.json()["implemented_on"]
    assert api.post(url + "transitions/", {"transition": "evaluate"}, format="json").status_code == 400
    response = api.post(
        url + "transitions/", {"transition": "evaluate", "evaluation": "-45 %: met"}, format="json"
    )
    assert response.json()["status"] == "evaluated" and response.json()["evaluated_on"]
    assert api.patch(url, {"benefit": "rewritten"}, format="json").status_code == 409
