"""The implementation plan from ISO/IEC 20000-5 table B.1: status follows the activity's clauses in the
latest assessment, can be set by hand with a reason; achievement per phase."""

from __future__ import annotations

import pytest

from servitium.conformity import services
from servitium.conformity.models import PlanItem, Requirement
from servitium.core.checks import CheckResult, register
from tests import factories
from tests.base import client

ACTIVITIES = "iso20000-5:2010"


def test_every_activity_has_a_plan_item(db):
    activities = Requirement.objects.filter(framework__slug=ACTIVITIES, kind="activity")
    assert activities.exists()
    phased = [a for a in activities if a.phases]
    assert PlanItem.objects.count() == len(phased)
    assert all(set(a.phases) <= {1, 2, 3} for a in phased)


@pytest.fixture
def activity_with_clauses(db):
    """An activity whose listed 2011 clauses we can drive with one check."""
    for activity in Requirement.objects.filter(framework__slug=ACTIVITIES, kind="activity"):
        clauses = list(activity.applicable_clauses.all())
        if clauses:
            return activity, clauses
    pytest.skip("no activity lists clauses")


def test_plan_status_follows_the_checks_and_can_be_overridden(ctx, isolated_registry, activity_with_clauses):
    activity, clauses = activity_with_clauses
    state = {"status": "not_met"}
    keys = [f"iso20000-1:2011#{c.identifier}" for c in clauses]

    @register("test.activity", requirements=keys, title="drives the activity")
    def drive() -> CheckResult:
        return CheckResult(state["status"], "driven")

    manager = factories.user("plan_mgr", ctx.provider, ["conformity-manager"])
    item = PlanItem.objects.get(activity=activity)
    url = f"/api/v1/implementation-plan/{item.pk}/"
    services.assessment_run(actor=None)
    body = client(manager).get(url).json()
    assert body["identifier"] == activity.identifier and body["phases"] == activity.phases
    assert body["auto_status"] == "not_started" and body["status"] == "not_started"

    state["status"] = "partly_met"
    services.assessment_run(actor=None)
    assert client(manager).get(url).json()["status"] == "in_progress"

    response = client(manager).patch(url, {"manual_status": "done"}, format="json")
    assert response.status_code == 400 and "manual_reason" in response.json()
    owner = factories.person("Pat Planner", ctx.provider)
    response = client(manager).patch(
        url,
        {
            "manual_status": "done",
            "manual_reason": "Accepted by the project board",
            "owner": owner.pk,
            "target_date": "2027-03-31",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "done" and response.json()["auto_status"] == "in_progress"

    phases = client(manager).get("/api/v1/implementation-plan/achievement/").json()["phases"]
    assert [p["phase"] for p in phases] == [1, 2, 3]
    for phase in activity.phases:
        row = next(p for p in phases if p["phase"] == phase)
        assert row["done"] >= 1 and activity.identifier not in row["open"]
        assert row["share_done"] == round(row["done"] / row["activities"], 3)


def test_plan_items_are_not_created_or_deleted_by_hand(ctx):
    item = PlanItem.objects.first()
    admin = client(ctx.admin)
    assert admin.post("/api/v1/implementation-plan/", {}, format="json").status_code == 405
    assert admin.delete(f"/api/v1/implementation-plan/{item.pk}/").status_code == 405
    assert client(ctx.customer_a).get(f"/api/v1/implementation-plan/{item.pk}/").status_code == 404
