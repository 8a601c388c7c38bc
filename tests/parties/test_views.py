"""The parties pages from their declarations, and the user-account pages administrators manage logins on."""

from django.test import Client

from servitium.core import services as core_services
from servitium.core.models import ChangeRecord
from servitium.parties.models import Organization, Person, Team, User
from servitium.parties.services import team_create
from tests import factories
from tests.base import RecordUISuite, browser, client, sent_to_portal


class TestOrganizationPages(RecordUISuite):
    model = Organization
    writer_roles = ["parties-manager"]

    def make(self, ctx):
        return ctx.org_a


class TestPersonPages(RecordUISuite):
    model = Person
    writer_roles = ["parties-manager"]

    def make(self, ctx):
        return factories.person("Ann Example", ctx.org_a, email="ann@a.example", job_title="Buyer")


class TestTeamPages(RecordUISuite):
    model = Team
    writer_roles = ["parties-manager"]

    def make(self, ctx):
        lead = factories.person("Lead", ctx.provider)
        return team_create(
            actor=None,
            data={"name": "Desk", "organization": ctx.provider, "lead": lead, "email": "desk@p.example"},
            m2m={"members": [lead]},
        )


class TestUserPages(RecordUISuite):
    model = User
    writer_roles = ["administrator"]

    def make(self, ctx):
        return factories.user("someone", ctx.org_a, ["customer"])


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
    assert user.password.encode() not in page.content  # the hash is never shown


def test_admin_changes_a_password_in_the_ui(ctx):
    user = factories.user("changing", ctx.provider, ["catalog-agent"])
    form = {
        "username": "changing",
        "organization": ctx.provider.pk,
        "roles": ["catalog-agent"],
        "is_active": "on",
    }
    page = browser(ctx.admin)
    assert page.post(f"/parties/users/{user.pk}/edit/", form).status_code == 302  # empty: kept
    user.refresh_from_db()
    assert user.check_password(factories.PASSWORD)
    response = page.post(f"/parties/users/{user.pk}/edit/", {**form, "password": "another-long-passphrase"})
    assert response.status_code == 302, response.content
    user.refresh_from_db()
    assert user.check_password("another-long-passphrase")
    updates = ChangeRecord.objects.filter(object_type="parties.user", object_id=user.pk, action="update")
    assert [u.changes for u in updates] == [{"password": ["***", "***"]}]


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
    assert sent_to_portal(browser.get(f"/parties/users/{ctx.admin.pk}/"))


def test_parties_manager_editing_a_person_keeps_the_login_link(ctx):
    """Only administrators see logins: a parties manager's form shows the link but cannot change it."""
    login = factories.user("ann", ctx.org_a, ["customer"])
    person = factories.person("Ann Example", ctx.org_a)
    core_services.record_update(instance=person, data={"user": login}, actor=None)
    manager = factories.user("pm", ctx.provider, ["parties-manager"])
    page = browser(manager)
    form = page.get(f"/parties/people/{person.pk}/edit/").context["form"]
    assert form.fields["user"].disabled
    other = factories.user("other", ctx.org_a, ["customer"])
    response = page.post(
        f"/parties/people/{person.pk}/edit/",
        {"name": "Ann Example", "organization": ctx.org_a.pk, "job_title": "Buyer", "user": other.pk},
    )
    assert response.status_code == 302, response.content
    person.refresh_from_db()
    assert person.job_title == "Buyer" and person.user_id == login.pk
    # An administrator may change it.
    response = browser(ctx.admin).post(
        f"/parties/people/{person.pk}/edit/",
        {"name": "Ann Example", "organization": ctx.org_a.pk, "job_title": "Buyer", "user": other.pk},
    )
    assert response.status_code == 302, response.content
    person.refresh_from_db()
    assert person.user_id == other.pk


def test_customers_see_only_their_own_people(ctx):
    """Customers are sent from the staff pages to the portal; through the API they read their own
    organization's people only."""
    mine = factories.person("Mine Person", ctx.org_a)
    theirs = factories.person("Theirs Person", ctx.org_b)
    provider_contact = factories.person("Provider Person", ctx.provider)
    assert sent_to_portal(browser(ctx.customer_a).get("/parties/people/"))
    api = client(ctx.customer_a)
    listing = api.get("/api/v1/people/")
    assert listing.status_code == 200
    assert [p["name"] for p in listing.json()["results"]] == ["Mine Person"]
    assert b"Suite Customer B" not in listing.content
    assert api.get(f"/api/v1/people/{theirs.pk}/").status_code == 404
    assert api.get(f"/api/v1/people/{provider_contact.pk}/").status_code == 404
    assert api.get(f"/api/v1/people/{mine.pk}/").status_code == 200
    assert api.get("/api/v1/people/", {"organization": ctx.org_b.pk}).status_code == 400
