"""My settings: every signed-in user chooses their own language and time zone, on a page and through
`PATCH /api/v1/users/me/`; pages then speak that language; nothing else about the login can be changed
that way; the change is in the change log."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from servitium.core.models import ChangeRecord

pytestmark = pytest.mark.django_db

TWO = [("en", "English"), ("de", "Deutsch")]


@override_settings(LANGUAGES=TWO)
def test_staff_choose_german_and_the_pages_follow(client, admin_user):
    customer_a = admin_user  # customers set theirs in the portal (tests/portal/test_portal_settings.py)
    client.force_login(customer_a)
    page = client.get(reverse("parties:preferences"))
    assert page.status_code == 200 and b"Deutsch" in page.content
    saved = client.post(reverse("parties:preferences"), {"language": "de", "time_zone": "Europe/Berlin"})
    assert saved.status_code == 302
    customer_a.refresh_from_db()
    assert (customer_a.language, customer_a.time_zone) == ("de", "Europe/Berlin")
    again = client.get(reverse("parties:preferences"), HTTP_ACCEPT_LANGUAGE="en")
    assert 'lang="de"' in again.content.decode() and again["Content-Language"] == "de"
    entry = ChangeRecord.objects.filter(object_type="parties.user", object_id=str(customer_a.pk)).latest("id")
    assert entry.changes["language"] == ["", "de"] and entry.actor_id == customer_a.pk


@override_settings(LANGUAGES=TWO)
def test_blank_follows_the_browser(client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("parties:preferences"), HTTP_ACCEPT_LANGUAGE="de")
    assert 'lang="de"' in page.content.decode()
    page = client.get(reverse("parties:preferences"), HTTP_ACCEPT_LANGUAGE="en")
    assert 'lang="en"' in page.content.decode()


@override_settings(LANGUAGES=TWO)
def test_unknown_language_and_zone_are_refused_by_name(client, api, admin_user):
    client.force_login(admin_user)
    page = client.post(reverse("parties:preferences"), {"language": "xx", "time_zone": "Mars/Olympus"})
    assert page.status_code == 400
    assert "Mars/Olympus" in page.content.decode()
    response = api(admin_user).patch("/api/v1/users/me/", {"language": "tlh"}, format="json")
    assert response.status_code == 400 and "language" in response.json()
    admin_user.refresh_from_db()
    assert admin_user.language == "" and admin_user.time_zone == ""


def test_only_own_language_and_zone_through_me(api, customer_a):
    response = api(customer_a).patch(
        "/api/v1/users/me/", {"roles": ["administrator"], "language": "en"}, format="json"
    )
    assert response.status_code == 400 and "roles" in response.json()
    customer_a.refresh_from_db()
    assert customer_a.roles == ["customer"] and customer_a.language == ""
    ok = api(customer_a).patch("/api/v1/users/me/", {"time_zone": "Asia/Tokyo"}, format="json")
    assert ok.status_code == 200 and ok.json()["time_zone"] == "Asia/Tokyo"
    assert api(None).patch("/api/v1/users/me/", {"time_zone": "UTC"}, format="json").status_code in (401, 403)
