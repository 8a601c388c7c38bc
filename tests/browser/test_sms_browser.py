"""The management-system pages on a phone-sized screen (390 px wide, the `page` fixture): each opens for
the demo's top manager and nothing makes the page itself scroll sideways (wide tables scroll in their own
box). Run with `pytest -m browser`; needs /usr/bin/chromium."""

from __future__ import annotations

import pytest

from servitium import demo
from servitium.audits.models import Audit
from servitium.documents.models import Document
from servitium.reviews.models import ManagementReview
from servitium.risks.models import Risk
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

WIDTH = 390


@pytest.mark.django_db(transaction=True)
def test_management_system_pages_fit_a_phone(live_server, page):
    demo.load(admin_username="admin", admin_password=factories.PASSWORD, small=True)
    held = ManagementReview.objects.filter(status="closed").first()
    audit = Audit.objects.exclude(status="planned").first()
    pages = [
        "/sms/",
        "/sms/raci/",
        "/sms/documents/",
        "/sms/documents/awareness/",
        f"/sms/documents/{Document.objects.filter(sms_policy=True).first().pk}/",
        "/sms/risks/",
        "/sms/risks/heat-map/",
        f"/sms/risks/{Risk.objects.first().pk}/",
        "/sms/competence/",
        "/sms/improvement/",
        "/sms/audits/",
        f"/sms/audits/{audit.pk}/report/",
        "/sms/reviews/",
        f"/sms/reviews/{held.pk}/",
        f"/sms/reviews/{held.pk}/pack/",
    ]
    sign_in(page, live_server.url, "director")
    too_wide = {}
    for path in pages:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > WIDTH + 1:
            too_wide[path] = width
    assert not too_wide, too_wide
