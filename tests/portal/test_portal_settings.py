"""A customer sets their language and time zone in the portal (they never reach the staff settings page),
together with which mails they want; a bad zone saves nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_customer_settings_in_the_portal(client, customer_a):
    client.force_login(customer_a)
    assert client.get(reverse("parties:preferences"))["Location"].startswith("/portal/")
    page = client.get(reverse("portal:preferences"))
    assert page.status_code == 200 and "Deutsch" in page.content.decode()
    refused = client.post(
        reverse("portal:preferences"), {"replies": "on", "language": "de", "time_zone": "Mars/Olympus"}
    )
    assert refused.status_code == 200 and "Mars/Olympus" in refused.content.decode()
    customer_a.refresh_from_db()
    assert customer_a.language == ""
    saved = client.post(
        reverse("portal:preferences"), {"replies": "on", "language": "de", "time_zone": "Europe/Vienna"}
    )
    assert saved.status_code == 302
    customer_a.refresh_from_db()
    assert (customer_a.language, customer_a.time_zone) == ("de", "Europe/Vienna")
    german = client.get(reverse("portal:preferences"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="de"' in german and "Meine Einstellungen" in german
