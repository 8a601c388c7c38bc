"""A process manager's home dashboard in a real browser: the charts are there (SVG with their titles) on a
laptop (1366 px) and on a phone (390 px), and neither makes the page scroll sideways. Screenshots of both
go to docs/screenshots/. Run with `pytest -m browser`; needs /usr/bin/chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from servitium import demo
from tests import factories
from tests.browser.conftest import sign_in, too_wide

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CHARTS = {
    "SLA clocks within target per month (%)",
    "Open tickets at the end of each week, by priority",
    "Open tickets by age",
    "Share met per run",
}


@pytest.mark.django_db(transaction=True)
def test_a_managers_dashboard_shows_its_charts_on_a_laptop_and_a_phone(live_server, page):
    demo.load(admin_username="admin", admin_password=factories.PASSWORD, small=True)
    SCREENSHOTS.mkdir(exist_ok=True)
    # The head of service management: incident manager and top management, so both the process charts
    # and the management overview.
    sign_in(page, live_server.url, "director")
    for width, name in ((1366, "dashboard-manager.png"), (390, "dashboard-manager-phone.png")):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/")
        titles = set(
            page.eval_on_selector_all("main svg", "els => els.map(e => e.getAttribute('aria-label'))")
        )
        assert titles >= CHARTS, (width, titles)
        for title in CHARTS:  # drawn, not just present: each chart has a visible size
            box = page.locator(f'main svg[aria-label="{title}"]').bounding_box()
            assert box and box["width"] > 100 and box["height"] > 40, (width, title, box)
            assert box["x"] + box["width"] <= width, (width, title, box)
        assert (
            page.locator("#dashboard-manager").is_visible()
            and page.locator("#dashboard-management").is_visible()
        )
        assert too_wide(page, width) is None, (width, too_wide(page, width))
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
