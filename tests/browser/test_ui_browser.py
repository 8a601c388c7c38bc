"""A real browser (Playwright driving Debian's Chromium) signs in, opens a service and sees its history.

Run with `pytest -m browser`; needs /usr/bin/chromium (`apt-get install chromium`).
"""

from __future__ import annotations

import os

import pytest

from tests import factories
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_sign_in_open_service_and_see_history(live_server, page):
    provider = factories.organization("Browser Provider", "provider")
    factories.user("browser_admin", provider, ["administrator"])
    svc = factories.service("Managed Backup", status="pipeline", description="Nightly backups")

    sign_in(page, live_server.url, "browser_admin")
    page.goto(f"{live_server.url}/catalog/services/")
    page.get_by_role("link", name="Managed Backup").click()
    assert page.get_by_test_id("record-title").inner_text() == "Managed Backup"
    history = page.locator("#history")
    assert "Create" in history.inner_text()

    # A transition from the UI lands in the history too.
    page.get_by_role("button", name="Go live").click()
    page.wait_for_load_state()
    assert "Transition" in page.locator("#history").inner_text()
    svc.refresh_from_db()
    assert svc.status == "live"
    page.screenshot(path=os.environ.get("SERVITIUM_SCREENSHOT", "/tmp/servitium-service.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_customer_cannot_open_another_organizations_service(live_server, page):
    org_a = factories.organization("Browser A", "customer")
    org_b = factories.organization("Browser B", "customer")
    factories.user("browser_cust", org_a, ["customer"])
    theirs = factories.service("Their Service", customers=[org_b])
    sign_in(page, live_server.url, "browser_cust")
    page.goto(
        f"{live_server.url}/catalog/services/{theirs.pk}/"
    )  # a staff page: the customer lands in the portal
    assert page.url == f"{live_server.url}/portal/" and "Their Service" not in page.content()


@pytest.mark.django_db(transaction=True)
def test_agent_records_an_incident_with_known_error_suggestions(live_server, page):
    """The incident form offers the matching known error while the agent types (htmx), and the saved
    ticket shows its SLA clock cards."""
    from servitium.problems.models import KnownError

    provider = factories.organization("Browser Provider", "provider")
    customer = factories.organization("Browser Customer", "customer")
    factories.user("browser_agent", provider, ["incident-agent"])
    factories.service("Hosted Mail", customers=[customer])
    KnownError.objects.create(
        reference="KE0000077",
        title="Outlook loses connection after VPN reconnect",
        symptoms="Outlook shows disconnected after the VPN reconnects",
        workaround="Restart Outlook once the VPN is up.",
    )
    sign_in(page, live_server.url, "browser_agent")
    page.goto(f"{live_server.url}/incidents/new/")
    page.fill("#id_title", "Outlook disconnected after VPN")
    page.locator("#id_title").press("End")  # a key press triggers the suggestion request
    suggestion = page.locator("#problem-suggestions [data-kind=known_error]")
    suggestion.wait_for(timeout=10000)
    assert "Restart Outlook" in suggestion.inner_text()
    page.select_option("#id_customer", label="Browser Customer")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("#sla-clocks")
    assert "Outlook disconnected after VPN" in page.get_by_test_id("record-title").inner_text()
