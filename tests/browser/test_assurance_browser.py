"""The assurance pages as the people who use them see them: the report owner, the availability, capacity
and security manager, the finance analyst and a customer user each follow the links from the assurance
home page on a phone (390 px) and on a laptop (1366 px). Every page they reach opens, nothing makes the
page itself scroll sideways (wide tables scroll in their own box), and on the laptop "Sign out" stays on
screen. Run with `pytest -m browser`; needs /usr/bin/chromium."""

from __future__ import annotations

import pytest

from servitium import demo
from tests import factories
from tests.browser.conftest import crawl, misfits, sign_in

pytestmark = pytest.mark.browser

# Customer users are sent to the portal from every staff page: test_portal_browser.py walks theirs.
ROLES = ("jonas", "liam", "nina")


@pytest.mark.django_db(transaction=True)
def test_assurance_pages_fit_a_phone_and_a_laptop_for_each_role(live_server, page):
    demo.load(admin_username="admin", admin_password=factories.PASSWORD, small=True)
    problems: dict[str, object] = {}
    for username in ROLES:
        page.set_viewport_size({"width": 390, "height": 844})
        sign_in(page, live_server.url, username)
        pages = crawl(page, live_server.url, username, ("/assurance/",))
        print(username, len(pages), "pages")
        assert len(pages) >= 5, (username, pages)
        problems.update(misfits(page, live_server.url, username, pages, on_laptop=6))
        page.context.clear_cookies()
    assert not problems, problems
