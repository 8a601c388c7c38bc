"""The assurance pages as the people who use them see them: the report owner, the availability, capacity
and security manager, the finance analyst and a customer user each follow the links from the assurance
home page on a phone (390 px) and on a laptop (1366 px). Every page they reach opens, nothing makes the
page itself scroll sideways (wide tables scroll in their own box), and on the laptop "Sign out" stays on
screen. Run with `pytest -m browser`; needs /usr/bin/chromium."""

from __future__ import annotations

import re

import pytest

from servitium import demo
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

ROLES = ("jonas", "liam", "nina", "alder")
PAGES_PER_ROLE = 30  # one page of each kind (record ids replaced), in the order the links are found


def _kind(path: str) -> str:
    return re.sub(r"/\d+/", "/N/", path)


def _crawl(page, base: str, username: str) -> list[str]:
    """The /assurance/ pages this user reaches from the assurance home page, one of each kind."""
    seen_kinds: set[str] = set()
    queue, found = [("/assurance/", "")], []
    while queue and len(found) < PAGES_PER_ROLE:
        path, linked_from = queue.pop(0)
        if _kind(path) in seen_kinds:
            continue
        seen_kinds.add(_kind(path))
        response = page.goto(f"{base}{path}")
        assert response.status == 200, (username, path, response.status, "linked from", linked_from)
        found.append(path)
        links = page.eval_on_selector_all(
            "a[href^='/assurance/']", "els => els.map(e => e.getAttribute('href'))"
        )
        for link in links:
            link = link.split("?")[0].split("#")[0]
            if not link.endswith(("/pdf/", "/page/", "/export/")) and _kind(link) not in seen_kinds:
                queue.append((link, path))
    return found


def _too_wide(page, width: int) -> int | None:
    scrolled = page.evaluate("document.documentElement.scrollWidth")
    return scrolled if scrolled > width + 1 else None


@pytest.mark.django_db(transaction=True)
def test_assurance_pages_fit_a_phone_and_a_laptop_for_each_role(live_server, page):
    demo.load(admin_username="admin", admin_password=factories.PASSWORD, small=True)
    problems: dict[str, object] = {}
    for username in ROLES:
        page.set_viewport_size({"width": 390, "height": 844})
        sign_in(page, live_server.url, username)
        pages = _crawl(page, live_server.url, username)
        print(username, len(pages), "pages")
        if username == "alder":  # a customer sees the reports of its own organization, nothing else here
            assert all(p.startswith("/assurance/") for p in pages)
        else:
            assert len(pages) >= 5, (username, pages)
        for path in pages:
            page.goto(f"{live_server.url}{path}")
            if wide := _too_wide(page, 390):
                problems[f"{username} 390 {path}"] = wide
        page.set_viewport_size({"width": 1366, "height": 768})
        for path in pages[:6]:
            page.goto(f"{live_server.url}{path}")
            if wide := _too_wide(page, 1366):
                problems[f"{username} 1366 {path}"] = wide
            box = page.get_by_role("button", name="Sign out").bounding_box()
            if box is None or box["x"] + box["width"] > 1366:
                problems[f"{username} 1366 {path} sign out"] = box
        page.context.clear_cookies()
    assert not problems, problems
