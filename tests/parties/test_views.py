"""Administrators manage logins in the UI; others do not see the pages."""

from django.test import Client

from servitium.core.models import ChangeRecord
from servitium.parties.models import User


def test_admin_creates_user_with_roles_in_the_ui(ctx):
    browser = Client()
    browser.force_login(ctx.admin)
    assert browser.get("/parties/users/").status_code == 200
    response = browser.post(
        "/parties/users/new/",
        {
            "username": "newbie",
            "email": "n@x.example",
            "organization": ctx.provider.pk,
            "roles": ["catalog-agent"],
            "password": "a-long-enough-passphrase",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content
    user = User.objects.get(username="newbie")
    assert user.roles == ["catalog-agent"] and user.check_password("a-long-enough-passphrase")
    assert ChangeRecord.objects.filter(
        object_type="parties.user", object_id=user.pk, action="create", context="web"
    ).exists()
    page = browser.get(f"/parties/users/{user.pk}/")
    assert page.status_code == 200 and b"newbie" in page.content


def test_weak_password_is_refused_in_the_ui(ctx):
    browser = Client()
    browser.force_login(ctx.admin)
    response = browser.post(
        "/parties/users/new/", {"username": "weak", "roles": [], "password": "123", "is_active": "on"}
    )
    assert response.status_code == 400
    assert not User.objects.filter(username="weak").exists()


def test_non_admins_cannot_manage_users(ctx):
    browser = Client()
    browser.force_login(ctx.auditor)
    assert browser.get("/parties/users/new/").status_code == 404
    browser.force_login(ctx.customer_a)
    assert browser.get(f"/parties/users/{ctx.admin.pk}/").status_code == 404
