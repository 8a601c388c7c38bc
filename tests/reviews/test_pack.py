"""The review pack: every topic the standard asks for, live figures from the registered inputs, what is
missing flagged; as JSON (the API's done-when), a printable page and a PDF."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from servitium.changes.models import Change
from servitium.core import reviewinputs
from servitium.core import services as core_services
from servitium.core.reviewinputs import TOPICS
from servitium.improvement import services as improvement_services
from servitium.relationships.models import Complaint
from servitium.reviews import inputs, pack
from tests import factories
from tests.base import browser, client, sent_to_portal
from tests.reviews.conftest import action, held, review

TODAY = timezone.localdate()


@pytest.fixture
def live(ctx):
    """A complaint, two changes (one failed emergency) and a nonconformity: records the inputs read."""
    core_services.record_create(
        model=Complaint,
        data={"customer": ctx.org_a, "title": "Slow VPN", "description": "Drops daily"},
        actor=None,
    )
    core_services.record_create(model=Change, data={"title": "Patch db", "category": "normal"}, actor=None)
    core_services.record_create(
        model=Change, data={"title": "Hotfix", "category": "emergency", "outcome": "failed"}, actor=None
    )
    improvement_services.nonconformity_open(
        kind="other", description="Missing SLA", actor=None, due_date=TODAY - dt.timedelta(days=2)
    )


def test_the_pack_lists_every_topic_with_live_figures_through_the_api(ctx, people, live):
    r = review(ctx, people.chair, days_ago=-1)  # its period ends today
    response = client(ctx.auditor).get(f"/api/v1/management-reviews/{r.pk}/pack/")
    assert response.status_code == 200
    body = response.json()
    assert [t["key"] for t in body["topics"]] == list(TOPICS)
    topics = {t["key"]: t for t in body["topics"]}
    for key in (
        "previous_actions",
        "customer_feedback",
        "sms_changes",
        "nonconformities",
        "service_performance",
    ):
        assert key in {i["key"] for i in body["inputs"]}
    assert topics["customer_feedback"]["covered"] and topics["sms_changes"]["covered"]
    figures = {i["key"]: i["figures"] for i in body["inputs"]}
    assert figures["customer_feedback"]["complaints"] == {"raised": 1, "resolved": 0, "open": 1}
    assert figures["sms_changes"]["total"] == 2 and figures["sms_changes"]["emergency"] == 1
    assert figures["sms_changes"]["unsuccessful"] == 1 and figures["sms_changes"]["emergency_share"] == 0.5
    assert figures["nonconformities"]["open"] == 1 and figures["nonconformities"]["raised"] == 1
    assert figures["previous_actions"]["first_review"] is True
    assert body["complete"] is (not body["missing_topics"])
    assert set(body["missing_topics"]) == {k for k, t in topics.items() if not t["covered"]}
    assert body["frozen"] is None
    assert not any("chart_svg" in (i["figures"] or {}) for i in body["inputs"])


def test_a_topic_nothing_collects_is_flagged_as_missing(ctx, people, monkeypatch):
    monkeypatch.setattr(reviewinputs, "_INPUTS", {})
    inputs.register()
    r = review(ctx, people.chair)
    current = pack.pack_for(r, None)
    states = current.coverage
    assert states["risks"] == "none" and "risks" in current.missing and not current.complete
    assert states["sms_changes"] == "empty"  # registered, nothing in the period
    assert states["previous_actions"] == "figures"
    html = pack.render_html(current, r)
    assert "Incomplete pack." in html and str(TOPICS["risks"]) in html


def test_a_broken_input_is_named_not_hidden(ctx, people, monkeypatch):
    def broken(start, end, user):
        raise RuntimeError("boom")

    monkeypatch.setitem(
        reviewinputs._INPUTS,
        "risks",
        reviewinputs.ReviewInput("risks", "Risks", broken, ("risks",), "x.html", 70),
    )
    for key, other in list(reviewinputs._INPUTS.items()):  # the topic's only input is the broken one
        if key != "risks" and "risks" in other.topics:
            monkeypatch.delitem(reviewinputs._INPUTS, key)
    body = client(ctx.admin).get(f"/api/v1/management-reviews/{review(ctx, people.chair).pk}/pack/").json()
    risks = next(i for i in body["inputs"] if i["key"] == "risks")
    assert risks["error"] and risks["figures"] is None and "risks" in body["missing_topics"]


def test_previous_actions_follow_the_earlier_reviews(ctx, people):
    earlier = held(ctx, people.chair, days_ago=40)
    late = action(ctx, earlier, due_in=-5, owner=people.owner)
    action(ctx, earlier, due_in=20, owner=people.owner)
    r = review(ctx, people.chair, days_ago=-1)
    figures = inputs.previous_actions(r.period_start, r.period_end, None)
    assert figures["counts"] == {"total": 2, "open": 2, "overdue": 1, "done": 0, "cancelled": 0}
    assert figures["open"][0]["reference"] == late.reference and figures["open"][0]["overdue_days"] == 5
    page = browser(ctx.admin).get(f"/sms/reviews/{r.pk}/")
    assert late.reference.encode() in page.content  # status of actions from previous reviews


def test_figures_respect_what_the_reader_may_see(ctx, people, live, monkeypatch):
    from servitium.core import permissions

    # A reader of the management system only (the SMS roles themselves also read changes, for risks).
    reader = permissions.Role("sms-reader", "SMS reader", {"sms": frozenset({permissions.VIEW})})
    monkeypatch.setitem(permissions.ROLES, "sms-reader", reader)
    r = review(ctx, people.chair, days_ago=-1)
    sms_only = factories.user("sms_only", ctx.provider, ["sms-reader"])
    body = client(sms_only).get(f"/api/v1/management-reviews/{r.pk}/pack/").json()
    topics = {t["key"]: t for t in body["inputs"]}
    assert topics["sms_changes"]["has_content"] is False  # may not read changes: no figures shown


def test_pack_as_page_and_pdf(ctx, people, live):
    r = review(ctx, people.chair, days_ago=-1)
    page = browser(ctx.auditor).get(f"/sms/reviews/{r.pk}/pack/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "<svg" in text and "<script" not in text and "style=" not in text
    assert str(TOPICS["customer_feedback"]) in text
    for url in (f"/sms/reviews/{r.pk}/pack.pdf", f"/sms/reviews/{r.pk}/pack/?format=pdf"):
        pdf = browser(ctx.auditor).get(url)
        assert (
            pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content[:4] == b"%PDF"
        )
    api = client(ctx.auditor)
    for url in (
        f"/api/v1/management-reviews/{r.pk}/pack/?format=pdf",
        f"/api/v1/management-reviews/{r.pk}/pack.pdf",
    ):
        pdf = api.get(url)
        assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF", url
    assert sent_to_portal(browser(ctx.customer_a).get(f"/sms/reviews/{r.pk}/pack/"))
    assert client(ctx.customer_a).get(f"/api/v1/management-reviews/{r.pk}/pack/").status_code == 404
    assert client().get(f"/api/v1/management-reviews/{r.pk}/pack/").status_code == 401
