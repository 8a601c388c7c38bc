"""The change pages: list, detail with approvals and conflicts, form, calendar, CAB view and who sees them."""

from __future__ import annotations

import pytest
from django.test import Client

from servitium.changes import services
from servitium.changes.models import Change
from servitium.core import services as core_services
from tests import factories
from tests.base import client, sent_to_portal
from tests.changes.conftest import change
from tests.changes.test_schedule import at, submitted

pytestmark = pytest.mark.django_db


def browser(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_list_detail_and_form(chg):
    c = submitted("Patch app", cis=[chg.app], start=at(5))
    other = submitted("Host", cis=[chg.host], start=at(5))
    page = browser(chg.agent).get("/changes/")
    assert page.status_code == 200 and c.reference in page.content.decode()
    detail = browser(chg.agent).get(f"/changes/{c.pk}/").content.decode()
    assert 'id="change-conflicts"' in detail and other.reference in detail
    assert "Weekly CAB" in detail
    form = browser(chg.agent).post(
        "/changes/new/", {"title": "From the form", "category": "normal", "change_type": "ci_change"}
    )
    assert form.status_code == 302 and Change.objects.filter(title="From the form").exists()


def test_cab_view_lists_and_records_decisions(chg):
    c = submitted("Patch app", cis=[chg.app], start=at(5))
    page = browser(chg.alice).get("/changes/cab/").content.decode()
    assert c.reference in page.split('id="cab-mine"')[1].split("</table>")[0]
    assert (
        browser(chg.alice).post("/changes/cab/", {"change": c.pk, "decision": "approve"}).status_code == 302
    )
    assert browser(chg.bob).post(f"/changes/{c.pk}/", {"decision": "approve"}).status_code == 302
    assert Change.objects.get(pk=c.pk).status == "approved"
    page = browser(chg.alice).get("/changes/cab/").content.decode()
    assert c.reference not in page.split('id="cab-mine"')[1].split("</table>")[0]


def test_detail_transition_with_input(chg):
    core_services.record_update(instance=chg.policy, data={"normal_authority": "manager"}, actor=None)
    c = change(cis=[chg.lone])
    for name, user in [("submit", chg.agent), ("approve", chg.manager), ("implement", chg.agent)]:
        services.change_transition(actor=user, instance=c, transition=name)
    browser(chg.agent).post(f"/changes/{c.pk}/", {"transition": "fail", "failure_reason": "Timeout"})
    c.refresh_from_db()
    assert (c.status, c.failure_reason) == ("failed", "Timeout")


def test_calendar_highlights_conflicts_and_offers_the_feed(chg):
    a = submitted("Patch app", cis=[chg.app], start=at(3))
    submitted("Host", cis=[chg.host], start=at(3))
    month = a.planned_start.strftime("%Y-%m")
    page = browser(chg.agent).get(f"/changes/calendar/?month={month}").content.decode()
    assert a.reference in page and 'data-conflict="1"' in page
    assert "/changes/schedule.ics?token=" in page


def test_other_users_do_not_see_change_pages(chg, ctx):
    c = submitted("Patch app", cis=[chg.app], start=at(5))
    for page in (f"/changes/{c.pk}/", "/changes/calendar/", "/changes/cab/", "/changes/"):
        assert sent_to_portal(browser(ctx.customer_a).get(page)), page
    assert client(ctx.customer_a).get(f"/api/v1/changes/{c.pk}/").status_code == 404
    for user in (factories.user("inc2", ctx.provider, ["incident-agent"]),):
        web = browser(user)
        assert web.get(f"/changes/{c.pk}/").status_code == 404
        assert web.get("/changes/calendar/").status_code == 404
        assert web.get("/changes/cab/").status_code == 404
        assert c.reference not in web.get("/changes/").content.decode()


def test_approving_inside_a_blackout_window_from_the_page_takes_a_reason(chg):
    from servitium.changes.models import BlackoutWindow

    core_services.record_update(instance=chg.policy, data={"normal_authority": "manager"}, actor=None)
    core_services.record_create(
        model=BlackoutWindow, data={"name": "Freeze", "start": at(4, 0), "end": at(6, 0)}, actor=None
    )
    c = submitted("In the freeze", cis=[chg.lone], start=at(5))
    web = browser(chg.manager)
    assert 'name="blackout_override_reason"' in web.get(f"/changes/{c.pk}/").content.decode()
    web.post(f"/changes/{c.pk}/", {"transition": "approve"})
    assert Change.objects.get(pk=c.pk).status == "submitted"
    web.post(
        f"/changes/{c.pk}/", {"transition": "approve", "blackout_override_reason": "Agreed with customer"}
    )
    assert Change.objects.get(pk=c.pk).status == "approved"
