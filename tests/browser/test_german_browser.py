"""The German UI in a real browser: a manager switches to German on My settings and the sidebar, the home
page and the queue speak German; a customer whose browser asks for German gets the portal in German. No page
scrolls sideways at 390 or 1366 px. Screenshots go to docs/screenshots/. Run with `pytest -m browser`."""

from __future__ import annotations

from pathlib import Path

import pytest

from servitium import demo
from servitium.parties.models import User
from tests import factories
from tests.browser.conftest import sign_in, too_wide

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.mark.django_db(transaction=True)
def test_a_manager_and_a_customer_work_in_german(live_server, page):
    demo.load(admin_username="admin", admin_password=factories.PASSWORD, small=True)
    SCREENSHOTS.mkdir(exist_ok=True)
    base = live_server.url
    sign_in(page, base, "director")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{base}/parties/me/")
    page.select_option("#id_language", "de")
    page.fill("#id_time_zone", "Europe/Berlin")
    page.click("main button[type=submit]")  # not the top bar's "Sign out"
    page.wait_for_selector("text=Ihre Einstellungen sind gespeichert.")
    assert User.objects.get(username="director").language == "de"
    assert page.get_attribute("html", "lang") == "de"

    page.goto(f"{base}/")
    sidebar = page.inner_text("#sidebar").lower()  # the group headings are set in capitals
    for group in ("Betrieb", "Steuerung", "Planen und verbessern", "Konformität"):
        assert group.lower() in sidebar, (group, sidebar[:400])
    assert "Abmelden" in page.inner_text("body")
    page.screenshot(path=str(SCREENSHOTS / "german-home.png"), full_page=False)

    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{base}/incidents/")
        text = page.inner_text("main")
        assert "Meine Arbeit" in text, text[:300]
        assert too_wide(page, width) is None, width
    page.screenshot(path=str(SCREENSHOTS / "german-queue-phone.png"), full_page=False)

    # A customer who never chose a language: the browser's German is enough.
    context = page.context.browser.new_context(locale="de-DE", viewport={"width": 390, "height": 844})
    customer = context.new_page()
    sign_in(customer, base, "alder")
    assert customer.get_attribute("html", "lang") == "de"
    assert "Problem melden" in customer.inner_text("body")
    assert too_wide(customer, 390) is None
    customer.screenshot(path=str(SCREENSHOTS / "german-portal-phone.png"), full_page=False)
    context.close()
