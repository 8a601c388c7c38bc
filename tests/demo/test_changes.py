"""The demo's change management part: loads fast, twice without duplicates, and shows every situation."""

from __future__ import annotations

from servitium import demo
from servitium.changes import selectors
from servitium.changes.models import Change
from servitium.core.checks import REGISTRY


def test_demo_changes(db):
    count = Change.objects.count()
    demo.load(admin_username="admin", admin_password="demo-password-long-1")
    assert Change.objects.count() == count >= 25
    statuses = set(Change.objects.values_list("status", flat=True))
    assert {"closed", "reviewed", "failed", "submitted", "approved", "rejected", "draft"} <= statuses
    assert set(Change.objects.values_list("category", flat=True)) == {
        "standard",
        "normal",
        "emergency",
        "major",
    }
    assert Change.objects.filter(retrospective_review_required=True).count() == 1
    assert Change.objects.filter(routed_to_design=True, change_type="service_removal").exists()
    assert Change.objects.filter(outcome="backed_out").exclude(investigation_cause="").exists()
    upcoming = Change.objects.filter(status__in=["submitted", "approved"]).order_by("planned_start")
    plan = selectors.schedule(upcoming.first().planned_start, upcoming.last().planned_end)
    kinds = {c.kind for c in plan.conflicts}
    assert {"dependency", "blackout"} <= kinds
    months = {c.created.strftime("%Y-%m") for c in Change.objects.all()}
    assert len(months) >= 5
    results = {cid: REGISTRY[cid].run().status for cid in REGISTRY if cid.startswith("changes.")}
    assert results["changes.policy_defined"] == "met"
    assert results["changes.unsuccessful_investigated"] == "partly_met"  # one failure still open
    assert results["changes.removals_and_transfers_are_major"] == "met"
