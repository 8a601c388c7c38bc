"""Failed checks open nonconformities; closing one needs the check to pass in a newer assessment."""

from __future__ import annotations

from pathlib import Path

import pytest

from servitium.conformity import services
from servitium.conformity.models import Framework, Nonconformity
from servitium.conformity.sync import sync_catalogues
from servitium.core.checks import CheckResult, register
from tests import factories
from tests.base import client, entries_for

MINI = Path(__file__).parent / "fixtures" / "mini"


@pytest.fixture
def failing(db, isolated_registry):
    sync_catalogues(MINI)
    state = {"status": "not_met"}

    @register("test.sla_reviews", requirements=["test:2011#1.1"], title="SLA reviews held")
    def sla_reviews() -> CheckResult:
        return CheckResult(state["status"], f"reviews are {state['status']}")

    return state


def run():
    return services.assessment_run(actor=None, framework=Framework.objects.get(slug="test:2011"))


def transition(user, nc, **data):
    return client(user).post(f"/api/v1/nonconformities/{nc.pk}/transitions/", data, format="json")


def test_a_failed_check_opens_one_nonconformity_with_the_default_owner(ctx, manager, failing):
    first = run()
    [nc] = Nonconformity.objects.all()
    assert nc.reference.startswith("NC") and nc.status == "open"
    assert nc.check_id == "test.sla_reviews" and nc.requirement.identifier == "1.1"
    assert nc.owner.user == manager
    assert nc.opened_in == first and "reviews are not_met" in nc.description
    second = run()
    [nc] = Nonconformity.objects.all()  # updated, not duplicated
    assert nc.last_seen_in == second and nc.opened_in == first
    # each write of the engine is in the change log: opened, then seen again
    assert [(e.action, sorted(e.changes)) for e in entries_for(nc)][1:] == [("update", ["last_seen_in_id"])]
    assert entries_for(nc)[1].changes["last_seen_in_id"] == [first.pk, second.pk]


def test_close_needs_corrective_action_and_a_newer_passing_check(ctx, manager, failing):
    run()
    nc = Nonconformity.objects.get()
    assert [
        t["name"] for t in client(manager).get(f"/api/v1/nonconformities/{nc.pk}/transitions/").json()
    ] == ["close"]
    response = transition(manager, nc, transition="close")
    assert response.status_code == 400 and "corrective_action" in response.json()

    response = transition(manager, nc, transition="close", corrective_action="Scheduled quarterly reviews.")
    assert response.status_code == 409
    assert "test.sla_reviews" in response.json()["detail"]
    nc.refresh_from_db()
    assert nc.status == "open" and nc.corrective_action == ""  # nothing half-written

    run()  # still failing: not verified
    assert transition(manager, nc, transition="close", corrective_action="x").status_code == 409

    failing["status"] = "met"
    verified = run()
    response = transition(manager, nc, transition="close", corrective_action="Scheduled quarterly reviews.")
    assert response.status_code == 200, response.json()
    nc.refresh_from_db()
    assert nc.status == "closed" and nc.closed_in == verified
    assert nc.corrective_action == "Scheduled quarterly reviews."
    assert transition(manager, nc, transition="close").status_code == 409


def test_a_new_failure_after_closing_opens_a_new_nonconformity(ctx, manager, failing):
    run()
    failing["status"] = "met"
    run()
    nc = Nonconformity.objects.get()
    services.nonconformity_transition(
        actor=None, instance=nc, transition="close", data={"corrective_action": "Fixed."}
    )
    failing["status"] = "not_met"
    run()
    assert list(Nonconformity.objects.order_by("id").values_list("status", flat=True)) == ["closed", "open"]


def test_nonconformities_are_not_deleted(ctx, manager, failing):
    """No provider role may delete one (the declaration), and the service keeps even a superuser from it."""
    run()
    nc = Nonconformity.objects.get()
    response = client(manager).delete(f"/api/v1/nonconformities/{nc.pk}/")
    assert response.status_code == 403 and Nonconformity.objects.filter(pk=nc.pk).exists()
    root = factories.user("nc_root", ctx.provider, ["administrator"])
    root.is_superuser = True
    root.save()
    response = client(root).delete(f"/api/v1/nonconformities/{nc.pk}/")
    assert response.status_code == 400 and response.json()["code"] == "kept_as_evidence"
    assert Nonconformity.objects.filter(pk=nc.pk).exists()


def test_agents_of_other_areas_cannot_close(ctx, manager, failing):
    run()
    nc = Nonconformity.objects.get()
    other = factories.user("inc_mgr", ctx.provider, ["incident-manager"])
    assert transition(other, nc, transition="close", corrective_action="x").status_code in (403, 404)


def test_a_finding_raised_by_hand_closes_with_its_corrective_action(ctx, manager, failing):
    response = client(manager).post(
        "/api/v1/nonconformities/",
        {
            "requirement": Framework.objects.get(slug="test:2011").requirements.first().pk,
            "description": "Internal audit: no competence records for two agents.",
        },
        format="json",
    )
    nc = Nonconformity.objects.get(pk=response.json()["id"])
    assert transition(manager, nc, transition="close").status_code == 400
    response = transition(manager, nc, transition="close", corrective_action="Records completed.")
    assert response.status_code == 200 and response.json()["status"] == "closed"
