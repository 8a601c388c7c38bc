"""A customer user raises a request from the portal's catalogue and follows it to closure: an agent works
it (through the services), the customer reads the reply and confirms the solution. At a phone's width and
a laptop's, no portal page scrolls sideways. Screenshots go to docs/screenshots/portal-*.png."""

from __future__ import annotations

from pathlib import Path

import pytest

from servitium.core import services as core_services
from servitium.incidents import services as incident_services
from servitium.incidents.models import Incident
from tests.browser.conftest import sign_in, too_wide
from tests.portal.conftest import portal  # noqa: F401  (the fixture: two organizations, a catalogue, an SLA)

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDTHS = (390, 1366)


def _shot(page, name: str, width: int) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"portal-{name}-{width}.png"), full_page=True)


def _fits(page, width: int) -> None:
    assert not too_wide(page, width), (page.url, width, too_wide(page, width))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", WIDTHS)
def test_a_customer_orders_from_the_catalogue_and_follows_it_to_closure(live_server, page, portal, width):  # noqa: F811
    world, base = portal, live_server.url
    page.set_viewport_size({"width": width, "height": 844 if width == 390 else 768})
    sign_in(page, base, world.customer_a.username)
    assert page.url == f"{base}/portal/"
    _fits(page, width)
    _shot(page, "home", width)

    page.get_by_role("link", name="Order something").first.click()
    assert "Virtual machine" in page.content()
    _fits(page, width)
    _shot(page, "catalogue", width)
    page.locator(f"a[href='/portal/catalogue/o{world.vm.pk}/']").click()
    page.get_by_label("XL").check()
    page.get_by_label("Dublin").check()
    page.get_by_label("Anything we should know?").fill("For the nightly batch.")
    _fits(page, width)
    _shot(page, "request", width)
    page.get_by_role("button", name="Send the request").click()
    page.wait_for_load_state()
    ticket = Incident.objects.get(customer=world.org_a)
    assert page.url == f"{base}/portal/tickets/{ticket.pk}/"
    assert "Thank you. Your request is" in page.content() and "We aim to respond by" in page.content()
    assert "region: Dublin" in page.content()

    # The service desk answers, works and resolves it (through the services, as the staff pages do).
    core_services.comment_create(
        actor=world.agent,
        object_type="incidents.incident",
        object_id=ticket.pk,
        body="Your VM is being built.",
        visibility="public",
    )
    for step in ("start_work", "resolve"):
        ticket = incident_services.incident_transition(
            actor=world.agent,
            instance=ticket,
            transition=step,
            data={"resolution_code": "fulfilled", "resolution_notes": "vm-042 is ready in Dublin."},
        )
    page.reload()
    assert "Your VM is being built." in page.content() and "vm-042 is ready in Dublin." in page.content()
    _fits(page, width)
    _shot(page, "ticket-solved", width)
    page.get_by_role("button", name="Yes, it is solved").click()
    page.wait_for_load_state()
    ticket.refresh_from_db()
    assert ticket.status == Incident.Status.CLOSED
    assert "Closed" in page.locator("h1 + p .badge").inner_text()

    for path in (
        "/portal/report/",
        "/portal/tickets/?show=all",
        "/portal/service-levels/",
        "/portal/help/",
        "/portal/complaints/",
        "/portal/settings/",
        "/portal/approvals/",
        "/portal/surveys/",
    ):
        page.goto(f"{base}{path}")
        _fits(page, width)
    page.goto(f"{base}/portal/report/")
    _shot(page, "report", width)
    # A staff page sends the customer back to the portal.
    page.goto(f"{base}/incidents/")
    assert page.url == f"{base}/portal/"
