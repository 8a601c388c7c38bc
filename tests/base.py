"""Generated test suites: a model's test class supplies data, these classes test the standard behaviour.

`RecordAPISuite` checks, for one REST resource: authentication, CRUD through the API with exactly one
change-log entry per write, nothing written on bad input, the permission matrix (writer role, auditor,
a provider role of another area, customers) and that another organization's records are invisible.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rest_framework.test import APIClient

from servitium.core.models import ChangeRecord
from tests import factories


def client(user=None) -> APIClient:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


def entries_for(obj) -> list[ChangeRecord]:
    return list(
        ChangeRecord.objects.filter(object_type=type(obj).object_type(), object_id=obj.pk).order_by("id")
    )


class RecordAPISuite:
    endpoint: ClassVar[str]
    model: ClassVar[type]
    writer_roles: ClassVar[list[str]] = ["administrator"]
    foreign_roles: ClassVar[list[str]] = []  # provider roles that must not write here
    deletable: ClassVar[bool] = True
    customer_visible: ClassVar[bool] = True  # do customer users see their own organization's records?

    # --- data hooks ------------------------------------------------------------------------------------
    def make(self, ctx) -> Any:
        """A record that belongs to ctx.org_a (or to the provider for provider-only models)."""
        raise NotImplementedError

    def create_payload(self, ctx) -> dict[str, Any]:
        raise NotImplementedError

    def invalid_payload(self, ctx) -> dict[str, Any]:
        return {}

    def update_payload(self, ctx) -> dict[str, Any]:
        raise NotImplementedError

    # --- helpers ---------------------------------------------------------------------------------------
    def url(self, obj=None) -> str:
        base = f"/api/v1/{self.endpoint}/"
        return base if obj is None else f"{base}{obj.pk}/"

    def writer(self, ctx):
        return factories.user("suite_writer", ctx.provider, self.writer_roles)

    # --- the suite -------------------------------------------------------------------------------------
    def test_anonymous_gets_401(self, ctx):
        obj = self.make(ctx)
        assert client().get(self.url()).status_code == 401
        assert client().get(self.url(obj)).status_code == 401
        assert client().post(self.url(), self.create_payload(ctx), format="json").status_code == 401

    def test_create_writes_one_change_record(self, ctx):
        response = client(self.writer(ctx)).post(self.url(), self.create_payload(ctx), format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert isinstance(body["id"], int) and body["url"].endswith(f"/api/v1/{self.endpoint}/{body['id']}/")
        records = list(
            ChangeRecord.objects.filter(
                object_type=self.model.object_type(), object_id=body["id"], action="create"
            )
        )
        assert len(records) == 1
        assert records[0].actor_name == "suite_writer"
        assert records[0].context == "api"
        assert records[0].request_id

    def test_invalid_create_writes_nothing(self, ctx):
        writer = self.writer(ctx)
        payload = self.invalid_payload(ctx)
        before = ChangeRecord.objects.count()
        response = client(writer).post(self.url(), payload, format="json")
        assert response.status_code == 400
        assert isinstance(response.json(), dict) and response.json()
        assert ChangeRecord.objects.count() == before

    def test_update_logs_the_changed_fields(self, ctx):
        obj = self.make(ctx)
        payload = self.update_payload(ctx)
        response = client(self.writer(ctx)).patch(self.url(obj), payload, format="json")
        assert response.status_code == 200, response.json()
        updates = [r for r in entries_for(obj) if r.action == "update"]
        assert len(updates) == 1
        assert set(payload) <= set(updates[0].changes)

    def test_delete(self, ctx):
        obj = self.make(ctx)
        response = client(self.writer(ctx)).delete(self.url(obj))
        if not self.deletable:
            assert response.status_code in (400, 403, 405)
            return
        assert response.status_code == 204
        assert not type(obj)._default_manager.filter(pk=obj.pk).exists()
        assert [r.action for r in entries_for(obj)][-1] == "delete"

    def test_auditor_reads_but_cannot_write(self, ctx):
        obj = self.make(ctx)
        api = client(ctx.auditor)
        assert api.get(self.url(obj)).status_code == 200
        create, update = self.create_payload(ctx), self.update_payload(ctx)
        before = ChangeRecord.objects.count()
        assert api.post(self.url(), create, format="json").status_code == 403
        assert api.patch(self.url(obj), update, format="json").status_code == 403
        assert api.delete(self.url(obj)).status_code == 403
        assert ChangeRecord.objects.count() == before

    def test_other_area_roles_cannot_write(self, ctx):
        obj = self.make(ctx)
        for i, role in enumerate(self.foreign_roles):
            user = factories.user(f"suite_foreign{i}", ctx.provider, [role])
            create, update = self.create_payload(ctx), self.update_payload(ctx)
            before = ChangeRecord.objects.count()
            api = client(user)
            assert api.post(self.url(), create, format="json").status_code in (403, 404)
            assert api.patch(self.url(obj), update, format="json").status_code in (403, 404)
            assert ChangeRecord.objects.count() == before

    def test_another_organizations_records_are_invisible(self, ctx):
        obj = self.make(ctx)
        api = client(ctx.customer_b)
        assert api.get(self.url(obj)).status_code == 404
        assert api.patch(self.url(obj), self.update_payload(ctx), format="json").status_code == 404
        assert api.delete(self.url(obj)).status_code == 404
        listed = api.get(self.url(), {"page_size": 1000}).json()
        assert obj.pk not in [row["id"] for row in listed["results"]]

    def test_customer_of_the_organization(self, ctx):
        obj = self.make(ctx)
        api = client(ctx.customer_a)
        response = api.get(self.url(obj))
        if not self.customer_visible:
            assert response.status_code == 404
            return
        assert response.status_code == 200
        create, update = self.create_payload(ctx), self.update_payload(ctx)
        before = ChangeRecord.objects.count()
        assert api.patch(self.url(obj), update, format="json").status_code == 403
        assert api.post(self.url(), create, format="json").status_code == 403
        assert ChangeRecord.objects.count() == before

    def test_list_paginates_and_orders(self, ctx):
        self.make(ctx)
        response = client(ctx.admin).get(self.url(), {"page_size": 1, "ordering": "-created"})
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"count", "next", "previous", "results"}
        assert len(body["results"]) == 1
        assert body["count"] >= 1
