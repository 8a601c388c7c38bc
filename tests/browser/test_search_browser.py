"""The search page in a real browser (Playwright driving Debian's Chromium): results grouped and marked,
a reference number opening its record, no horizontal scrolling on a phone or a laptop.

Run with `pytest -m browser -p no:xdist`; needs /usr/bin/chromium.
"""

from __future__ import annotations

import pytest

from servitium.incidents import services as incident_services
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_search_finds_groups_and_opens_a_reference_at_phone_and_laptop_width(live_server, page):
    provider = factories.organization("Search Provider", "provider")
    customer = factories.organization("Search Customer", "customer")
    factories.user("search_admin", provider, ["administrator"])
    long_word = "x" * 120  # a pasted token must wrap, not widen the page
    record = incident_services.incident_create(
        actor=None,
        data={
            "customer": customer,
            "title": "Network outage in the Frankfurt data centre",
            "description": f"The core network switch failed; log line {long_word} and more",
        },
    )
    factories.service("Network hosting", customers=[customer])
    sign_in(page, live_server.url, "search_admin")
    for width in (390, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/search/?q=netw")
        groups = page.get_by_test_id("search-group")
        assert groups.count() == 2
        assert page.locator("mark").first.inner_text().lower() == "network"
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (width, overflow)
    page.goto(f"{live_server.url}/search/?q={record.reference.lower()}")
    assert page.url == f"{live_server.url}{record.get_absolute_url()}"
