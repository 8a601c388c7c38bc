"""Design and transition, the cloud lifecycle and exits as the people who run them see them: the design and
cloud manager, a design agent, a cloud agent and a customer user each follow the links from the three
list pages on a phone (390 px) and on a laptop (1366 px). Every page they reach opens, nothing makes the
page itself scroll sideways, and on the laptop "Sign out" stays on screen. Run with `pytest -m browser`."""

from __future__ import annotations

import pytest

from servitium import demo
from tests import factories
from tests.browser.conftest import crawl, misfits, sign_in

pytestmark = pytest.mark.browser

STARTS = ("/design/", "/cloud/", "/exits/")
# ewa: design, cloud and exit manager; sofia: design agent; liam: cloud agent. (Customer users are sent to
# the portal from every staff page: test_portal_browser.py walks theirs.)
ROLES = {"ewa": 12, "sofia": 4, "liam": 4}  # at least this many kinds of page reached


@pytest.mark.django_db(transaction=True)
def test_lifecycle_pages_fit_a_phone_and_a_laptop_for_each_role(live_server, page):
    demo.load(admin_username="admin", admin_password=factories.PASSWORD, small=True)
    problems: dict[str, object] = {}
    for username, least in ROLES.items():
        page.set_viewport_size({"width": 390, "height": 844})
        sign_in(page, live_server.url, username)
        pages = crawl(page, live_server.url, username, STARTS)
        print(username, len(pages), "pages")
        assert len(pages) >= least, (username, pages)
        problems.update(misfits(page, live_server.url, username, pages, on_laptop=8))
        page.context.clear_cookies()
    assert not problems, problems
