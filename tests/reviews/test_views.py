"""Pages of management review beyond the generated suite: the review page, the action page, the SMS tile."""

from __future__ import annotations

from servitium.core.panels import LIST, panels
from tests.base import browser
from tests.reviews.conftest import action, held, review


def test_review_page_shows_pack_links_actions_and_missing_topics(ctx, people):
    r = held(ctx, people.chair, days_ago=5)
    a = action(ctx, r, due_in=-2, owner=people.owner)
    page = browser(people.manager).get(f"/sms/reviews/{r.pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert f"/sms/reviews/{r.pk}/pack/" in text and f"/sms/reviews/{r.pk}/pack.pdf" in text
    assert a.reference in text and "overdue" in text and r.pack_sha256[:8] in text
    assert 'id="pack-missing"' in text  # the other apps' topics have nothing behind them here


def test_action_page_completes_with_a_note(ctx, people):
    a = action(ctx, owner=people.owner)
    page = browser(people.manager)
    assert b'id="complete-action"' in page.get(f"/sms/reviews/actions/{a.pk}/").content
    page.post(f"/sms/reviews/actions/{a.pk}/", {"transition": "complete", "completion_note": "Hired."})
    a.refresh_from_db()
    assert a.status == "done" and a.completion_note == "Hired."


def test_the_chair_approves_the_minutes_from_the_review_page(ctx, people):
    r = held(ctx, people.chair, approve=False)
    r.minutes, r.decisions = "Discussed.", "Hire."
    r.save()
    page = browser(people.chair_user)
    assert b'value="approve_minutes"' in page.get(f"/sms/reviews/{r.pk}/").content
    page.post(f"/sms/reviews/{r.pk}/", {"transition": "approve_minutes"})
    r.refresh_from_db()
    assert r.status == "minutes_approved"


def test_sms_home_tile(ctx, people):
    shown = panels("sms.home", None, people.manager, page=LIST)
    tile = next(p for p in shown if p["template"] == "reviews/_sms_home_panel.html")
    assert tile["context"]["last"] is None and tile["context"]["next"] is None
    r = held(ctx, people.chair, days_ago=30)
    upcoming = review(ctx, people.chair, days_ago=-20)
    action(ctx, r, due_in=-1)
    tile = next(
        p for p in panels("sms.home", None, people.manager, page=LIST) if p["template"].startswith("reviews/")
    )
    assert tile["context"]["last"] == r and tile["context"]["next"] == upcoming
    assert tile["context"]["open"] == 1 and tile["context"]["overdue"] == 1
    assert not any(
        p["template"].startswith("reviews/") for p in panels("sms.home", None, ctx.customer_a, page=LIST)
    )
