"""The demo's management reviews: the held one (frozen pack, approved minutes, six actions, one deliberately
overdue) and the planned one, whose live pack has figures from every input this app registers."""

from __future__ import annotations

from django.template.loader import render_to_string

from servitium.core.checks import REGISTRY
from servitium.parties.models import User
from servitium.reviews.models import ManagementReview, ReviewAction
from tests.base import browser, client

OWN_INPUTS = {
    "previous_actions",
    "service_performance",
    "customer_feedback",
    "supplier_performance",
    "assessment_results",
    "sms_changes",
}


def test_demo_reviews_and_their_pack(db):
    held = ManagementReview.objects.get(status="closed")
    upcoming = ManagementReview.objects.get(status="planned")
    assert held.pack_sha256 and held.minutes_approved_at and held.decisions
    assert upcoming.planned_date > held.held_on and upcoming.period_start > held.period_end
    actions = ReviewAction.objects.filter(review=held)
    overdue = [a for a in actions if a.overdue]  # references run on across tests on PostgreSQL
    assert actions.count() == 6 and len(overdue) == 1 and overdue[0].owner.name == "Kenji Tanaka"

    director = User.objects.get(username="director")
    body = client(director).get(f"/api/v1/management-reviews/{upcoming.pk}/pack/").json()
    inputs = {i["key"]: i for i in body["inputs"]}
    assert set(inputs) >= OWN_INPUTS
    for key in OWN_INPUTS:
        assert inputs[key]["has_content"] and not inputs[key]["error"], key
    page = browser(director).get(f"/sms/reviews/{upcoming.pk}/pack/")
    assert page.status_code == 200
    for key in OWN_INPUTS:
        assert f'id="input-{key}"' in page.content.decode()
    assert page.content.decode().count("<svg") >= 6

    followed = REGISTRY["reviews.actions_followed_up"].run()
    assert followed.status == "partly_met" and [g.label[:10] for g in followed.gaps] == [overdue[0].reference]
    assert REGISTRY["reviews.held_at_planned_intervals"].run().status == "met"
    assert REGISTRY["reviews.decisions_recorded"].run().status == "met"

    tile = render_to_string(
        "reviews/_sms_home_panel.html", {"panel": {"last": held, "next": upcoming, "open": 3, "overdue": 1}}
    )
    assert held.reference in tile and upcoming.reference in tile and "1 overdue" in tile
