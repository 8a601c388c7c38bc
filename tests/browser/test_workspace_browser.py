"""An agent works the incident queue by keyboard in a real browser (Playwright driving Debian's Chromium):
`j`/`k` move through the rows, `a` assigns the selected ticket, Enter opens it, and the breached clock on
the ticket reads breached. Screenshots go to docs/screenshots/ (the user guide shows them).

Run with `pytest -m browser -p no:xdist tests/browser/test_workspace_browser.py`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from servitium.agreements import services as sla_services
from servitium.core.models import ServiceHoursCalendar
from servitium.incidents import services
from servitium.incidents.models import Incident, SlaClock
from servitium.parties.models import Team
from tests import factories
from tests.browser.conftest import sign_in, too_wide

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _desk():
    """A provider with an agent in the service desk team, a customer with a round-the-clock SLA, and a
    queue: an unassigned P1, a ticket breached days ago, one at risk, one without a clock."""
    provider = factories.organization("Northwind Operations", "provider")
    customer = factories.organization("Alder Logistics", "customer")
    agent = factories.user("desk_agent", provider, ["incident-agent"])
    person = factories.person("Dana Desk", provider, user=agent)
    team = Team.objects.create(name="Service desk", organization=provider)
    team.members.add(person)
    service = factories.service("Hosted Email", customers=[customer])
    calendar = ServiceHoursCalendar.objects.create(
        name="Round the clock", time_zone="UTC", weekly_hours={d: [["00:00", "24:00"]] for d in WEEK}
    )
    agreement = sla_services.agreement_create(
        actor=None,
        data={
            "customer": customer,
            "service": service,
            "title": "Hosted Email SLA",
            "calendar": calendar,
            "valid_from": dt.date(2026, 1, 1),
            "workload": {"peak_periods": ["month end"]},
            "exceptions": [{"kind": "force_majeure", "description": "storms"}],
        },
    )
    for metric, seconds in (("response_time", 2 * 3600), ("resolution_time", 8 * 3600)):
        sla_services.target_create(
            actor=None, data={"agreement": agreement, "metric": metric, "target_value": seconds}
        )
    sla_services.agreement_transition(actor=None, instance=agreement, transition="agree")

    def ticket(title, impact, urgency, due_in_s=None, elapsed_s=None):
        data = {"customer": customer, "title": title, "impact": impact, "urgency": urgency}
        if due_in_s is not None:
            data["service"] = service
        incident = services.incident_create(actor=None, data=data)
        if due_in_s is not None:
            due = timezone.now() + dt.timedelta(seconds=due_in_s)
            clocks = SlaClock.objects.filter(incident=incident)
            clocks.update(due_at=due, warn_at=due - dt.timedelta(hours=2))
            if elapsed_s is not None:
                clocks.update(elapsed_before_s=elapsed_s)
        return incident

    ticket("Printer queue stalls on floor 3", 3, 2)
    ticket("Shared calendar slow to load", 2, 2, due_in_s=25 * 60)
    breached = ticket(
        "Mail bounces for the sales team", 2, 2, due_in_s=-(5 * 86400 + 15 * 3600), elapsed_s=140 * 3600
    )
    p1 = ticket("Nobody can send mail", 1, 1, due_in_s=5 * 3600)
    return agent, person, p1, breached


def _selected(page) -> str | None:
    return page.evaluate(
        "(document.querySelector('#queue tr.queue-selected') || {dataset: {}}).dataset.id || null"
    )


@pytest.mark.django_db(transaction=True)
def test_an_agent_works_the_queue_by_keyboard_and_sees_a_breached_clock(live_server, page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    _agent, person, p1, breached = _desk()
    base = live_server.url
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, base, "desk_agent")
    page.goto(f"{base}/incidents/")

    # The unassigned P1 is on top and marked; the breached ticket follows (its due time passed first).
    rows = page.locator("#queue tbody tr.queue-row")
    assert rows.nth(0).get_attribute("data-id") == str(p1.pk)
    assert "unassigned P1" in rows.nth(0).inner_text()
    assert rows.nth(1).get_attribute("data-id") == str(breached.pk)
    assert "5 d 15 h overdue" in rows.nth(1).locator("td.queue-due .due-breached").inner_text()
    assert too_wide(page, 1366) is None

    # j, j, k: down two rows and back up one.
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert _selected(page) == str(breached.pk)
    page.keyboard.press("k")
    assert _selected(page) == str(p1.pk)
    page.screenshot(path=str(SCREENSHOTS / "workspace-queue.png"))

    # a: the selected row is ticked and the assign control has the focus; choose a person and assign.
    page.keyboard.press("a")
    assert page.locator(f"#queue input[name=ids][value='{p1.pk}']").is_checked()
    assert page.evaluate("document.activeElement.id") == "bulk-person"
    page.select_option("#bulk-person", label="Dana Desk")
    page.get_by_role("button", name="Assign selected").click()
    page.wait_for_load_state()
    assert "1 ticket changed." in page.locator("body").inner_text()
    p1.refresh_from_db()
    assert (p1.assignee, p1.status) == (person, Incident.Status.ASSIGNED)

    # ? shows the help; Escape closes it; / goes to the search field.
    page.keyboard.press("?")
    assert page.locator("#shortcut-help").is_visible()
    page.keyboard.press("Escape")
    assert not page.locator("#shortcut-help").is_visible()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id || document.activeElement.name") in (
        "search",
        "global-search",
    )
    page.evaluate("document.activeElement.blur()")

    # Now assigned, the P1 no longer holds the top: the breached ticket leads. Enter opens it.
    page.keyboard.press("j")
    assert _selected(page) == str(breached.pk)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/incidents/{breached.pk}/")
    cards = page.locator("#sla-clocks .clock-breached")
    assert cards.count() == 2
    text = page.locator("#sla-clocks").inner_text()
    assert text.count("breached 5 d 15 h ago") == 2
    assert "target 2 h" in text and "target 8 h" in text and "120 min" not in text
    page.locator("#sla-clocks").screenshot(path=str(SCREENSHOTS / "breached-clock.png"))

    # On a phone the queue fits the screen (the table scrolls in its own box).
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/incidents/")
    assert too_wide(page, 390) is None
    page.screenshot(path=str(SCREENSHOTS / "workspace-queue-390.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_shortcuts_do_nothing_while_typing(live_server, page):
    _desk()
    sign_in(page, live_server.url, "desk_agent")
    page.goto(f"{live_server.url}/incidents/")
    page.locator("input[name=search]").click()
    page.keyboard.type("jn")
    assert page.url.endswith("/incidents/") or "search=" in page.url
    assert _selected(page) is None
    assert page.locator("input[name=search]").input_value() == "jn"
