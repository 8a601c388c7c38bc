"""Every page the demo reaches by links, as an administrator and as a customer user, carries the
Content-Security-Policy and nothing inline that it would block."""

from __future__ import annotations

from django.test import Client

from servitium.parties.models import User
from tests.core.test_csp import crawl


def test_every_page_reachable_in_the_demo_carries_the_policy_and_nothing_inline(db):
    # the administrator from the staff home, a customer user from the portal (the staff pages send customers
    # there)
    for username, start, least in [("admin", "/", 120), ("alder", "/portal/", 10)]:
        browser = Client()
        browser.force_login(User.objects.get(username=username))
        report = crawl(browser, [start])
        assert len(report) >= least, sorted(report)
        assert {url: problems for url, problems in report.items() if problems} == {}
        if username == "alder":  # a customer never lands on a staff page, whatever link it follows
            assert [url for url in report if not url.startswith("/portal/")] == []
