"""Organizations, locations, people, teams and users through the generated API suite, plus their rules."""

from __future__ import annotations

from servitium.core import services as core_services
from servitium.core.models import ChangeRecord
from servitium.parties.models import Location, Organization, Person, Team, User
from tests import factories
from tests.base import RecordAPISuite, client, entries_for


class TestOrganizationAPI(RecordAPISuite):
    endpoint = "organizations"
    model = Organization
    writer_roles = ["parties-manager"]
    foreign_roles = ["catalog-manager", "auditor"]

    def make(self, ctx):
        return ctx.org_a

    def create_payload(self, ctx):
        return {"name": "New Customer Ltd", "kind": "customer"}

    def invalid_payload(self, ctx):
        return {"name": "Bad kind", "kind": "martian"}

    def update_payload(self, ctx):
        return {"description": "Key account"}

    def test_delete(self, ctx):
        # Organizations with users are protected: delete a fresh one instead.
        org = factories.organization("Disposable", "supplier")
        response = client(self.writer(ctx)).delete(self.url(org))
        assert response.status_code == 204
        assert (
            ChangeRecord.objects.filter(
                object_type="parties.organization", object_id=org.pk, action="delete"
            ).count()
            == 1
        )

    def test_protected_delete_is_a_clear_400(self, ctx):
        response = client(ctx.admin).delete(self.url(ctx.org_a))
        assert response.status_code == 400
        assert "referenced" in str(response.json())
        assert Organization.objects.filter(pk=ctx.org_a.pk).exists()

    def test_duplicate_name_names_the_field(self, ctx):
        response = client(ctx.admin).post(
            self.url(), {"name": ctx.org_a.name, "kind": "customer"}, format="json"
        )
        assert response.status_code == 400
        assert "name" in response.json()


class TestLocationAPI(RecordAPISuite):
    endpoint = "locations"
    model = Location
    writer_roles = ["parties-manager"]
    foreign_roles = ["catalog-manager"]

    def make(self, ctx):
        from servitium.core.services import record_create

        return record_create(model=Location, data={"organization": ctx.org_a, "name": "HQ"}, actor=None)

    def create_payload(self, ctx):
        return {
            "organization": ctx.org_a.pk,
            "name": "Depot",
            "country": "NL",
            "time_zone": "Europe/Amsterdam",
        }

    def invalid_payload(self, ctx):
        return {"organization": ctx.org_a.pk, "name": "Depot", "time_zone": "Mars/Olympus"}

    def update_payload(self, ctx):
        return {"address": "1 Harbour Road"}


class TestPersonAPI(RecordAPISuite):
    endpoint = "people"
    model = Person
    writer_roles = ["parties-manager"]
    foreign_roles = ["catalog-agent"]

    def make(self, ctx):
        return factories.person("Ann Example", ctx.org_a, email="ann@a.example")

    def create_payload(self, ctx):
        return {"name": "Bob Example", "email": "bob@a.example", "organization": ctx.org_a.pk}

    def invalid_payload(self, ctx):
        return {"name": "Bob", "email": "not-an-email", "organization": ctx.org_a.pk}

    def update_payload(self, ctx):
        return {"job_title": "Buyer"}

    def test_customer_cannot_link_to_unseen_organization(self, ctx):
        # Writing by id only accepts records the writer may see: an unknown id is a field error.
        response = client(ctx.admin).post(self.url(), {"name": "X", "organization": 999999}, format="json")
        assert response.status_code == 400
        assert "organization" in response.json()


class TestTeamAPI(RecordAPISuite):
    endpoint = "teams"
    model = Team
    writer_roles = ["parties-manager"]
    foreign_roles = ["catalog-agent"]
    customer_visible = False

    def make(self, ctx):
        from servitium.parties.services import team_create

        lead = factories.person("Lead", ctx.provider)
        return team_create(
            actor=None,
            data={"name": "Desk", "organization": ctx.provider, "lead": lead},
            m2m={"members": [lead]},
        )

    def create_payload(self, ctx):
        lead = factories.person("Lena Lead", ctx.provider)
        return {"name": "Night shift", "organization": ctx.provider.pk, "members": [lead.pk], "lead": lead.pk}

    def invalid_payload(self, ctx):
        outsider = factories.person("Not A Member", ctx.provider)
        return {"name": "Broken", "organization": ctx.provider.pk, "members": [], "lead": outsider.pk}

    def update_payload(self, ctx):
        return {"description": "Second line"}

    def test_lead_must_be_member(self, ctx):
        response = client(ctx.admin).post(self.url(), self.invalid_payload(ctx), format="json")
        assert response.status_code == 400
        assert "lead" in response.json()


class TestUserAPI(RecordAPISuite):
    endpoint = "users"
    model = User
    writer_roles = ["administrator"]
    foreign_roles = ["parties-manager", "catalog-manager"]
    customer_visible = False
    deletable = True

    def make(self, ctx):
        return factories.user("someone", ctx.org_a, ["customer"])

    def create_payload(self, ctx):
        return {
            "username": "newagent",
            "password": "long-enough-passphrase-7",
            "email": "n@x.example",
            "organization": ctx.provider.pk,
            "roles": ["catalog-agent"],
        }

    def invalid_payload(self, ctx):
        return {"username": "weak", "password": "123", "roles": ["catalog-agent"]}

    def update_payload(self, ctx):
        return {"email": "changed@a.example"}

    def test_delete(self, ctx):
        user = self.make(ctx)
        response = client(self.writer(ctx)).delete(self.url(user))
        assert response.status_code == 204
        user.refresh_from_db()
        assert user.is_active is False  # deactivated, history intact

    def test_unknown_role_is_rejected(self, ctx):
        payload = {**self.create_payload(ctx), "roles": ["wizard"]}
        response = client(ctx.admin).post(self.url(), payload, format="json")
        assert response.status_code == 400
        assert "wizard" in str(response.json()["roles"])
        assert not User.objects.filter(username="newagent").exists()

    def test_customer_user_needs_customer_organization(self, ctx):
        payload = {**self.create_payload(ctx), "roles": ["customer"], "organization": ctx.provider.pk}
        response = client(ctx.admin).post(self.url(), payload, format="json")
        assert response.status_code == 400
        assert "organization" in response.json()

    def test_password_is_never_returned_nor_logged(self, ctx):
        response = client(ctx.admin).post(self.url(), self.create_payload(ctx), format="json")
        assert response.status_code == 201
        assert "password" not in response.json()
        user = User.objects.get(username="newagent")
        assert user.check_password("long-enough-passphrase-7")
        for entry in ChangeRecord.objects.filter(object_type="parties.user", object_id=user.pk):
            assert "long-enough" not in str(entry.changes)

    def test_delete_revokes_the_api_tokens_each_with_its_entry(self, ctx):
        user = factories.user("tokened", ctx.provider, ["catalog-agent"])  # never signed in
        first, _key = core_services.api_token_create(user=user)
        second, _key = core_services.api_token_create(user=user)
        before = ChangeRecord.objects.filter(object_type="parties.user", object_id=user.pk).count()
        assert client(ctx.admin).delete(self.url(user)).status_code == 204
        first.refresh_from_db()
        second.refresh_from_db()
        assert first.revoked is not None and second.revoked is not None
        entries = list(
            ChangeRecord.objects.filter(object_type="parties.user", object_id=user.pk).order_by("id")
        )[before:]
        assert [e.changes for e in entries] == [
            {"is_active": [True, False]},
            {"api_token": [first.prefix, None]},
            {"api_token": [second.prefix, None]},
        ]
        assert all(e.actor_name == "suite_admin" for e in entries)

    def test_password_change_is_one_entry_that_hides_the_value(self, ctx):
        user = self.make(ctx)
        response = client(ctx.admin).patch(
            self.url(user), {"password": "a-new-long-passphrase", "first_name": "Sam"}, format="json"
        )
        assert response.status_code == 200, response.json()
        assert "password" not in response.json()
        updates = [e for e in entries_for(user) if e.action == "update"]
        assert len(updates) == 1
        assert updates[0].changes == {"first_name": ["", "Sam"], "password": ["***", "***"]}
        user.refresh_from_db()
        assert user.check_password("a-new-long-passphrase")

    def test_ordering_by_created_is_by_date_joined(self, ctx):
        response = client(ctx.admin).get(self.url(), {"ordering": "-created"})
        assert response.status_code == 200
        joined = [row["date_joined"] for row in response.json()["results"]]
        assert joined == sorted(joined, reverse=True)

    def test_me(self, ctx):
        response = client(ctx.customer_a).get("/api/v1/users/me/")
        assert response.status_code == 200
        assert response.json()["username"] == "suite_cust_a"
        assert response.json()["roles"] == ["customer"]


def test_agent_creates_but_cannot_delete(ctx):
    agent = factories.user("pa", ctx.provider, ["parties-agent"])
    api = client(agent)
    response = api.post("/api/v1/people/", {"name": "Temp", "organization": ctx.org_a.pk}, format="json")
    assert response.status_code == 201
    assert api.delete(f"/api/v1/people/{response.json()['id']}/").status_code == 403
    assert Person.objects.filter(pk=response.json()["id"]).exists()


def test_a_person_is_not_linked_to_another_organizations_login(ctx):
    """Customers read their own people and the logins linked to them: a login of another organization
    would show them somebody else's account (and let its holder act as this person)."""
    person = factories.person("Ann Example", ctx.org_a)
    response = client(ctx.admin).patch(
        f"/api/v1/people/{person.pk}/", {"user": ctx.customer_b.pk}, format="json"
    )
    assert response.status_code == 400
    assert "user" in response.json()
    person.refresh_from_db()
    assert person.user_id is None
    response = client(ctx.admin).patch(
        f"/api/v1/people/{person.pk}/", {"user": ctx.customer_a.pk}, format="json"
    )
    assert response.status_code == 200, response.json()
