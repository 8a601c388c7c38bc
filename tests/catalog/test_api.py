"""Services through the generated API suite, plus dependency and lifecycle rules."""

from __future__ import annotations

import pytest
from django.test import Client

from servitium.catalog.models import Service
from servitium.core.models import ChangeRecord
from tests import factories
from tests.base import RecordAPISuite, RecordUISuite, client, sent_to_portal


class TestServiceAPI(RecordAPISuite):
    endpoint = "services"
    model = Service
    writer_roles = ["catalog-manager"]
    foreign_roles = ["parties-manager", "auditor"]

    def make(self, ctx):
        return factories.service("Email", customers=[ctx.org_a])

    def create_payload(self, ctx):
        return {"name": "Object Storage", "description": "S3-compatible", "customers": [ctx.org_a.pk]}

    def invalid_payload(self, ctx):
        return {"name": "", "status": "dreaming"}

    def update_payload(self, ctx):
        return {"description": "Mailboxes and calendars"}


@pytest.fixture
def catalog(ctx):
    base = factories.service("Compute")
    storage = factories.service("Storage", depends_on=[base])
    db = factories.service("Database", depends_on=[storage], customers=[ctx.org_a])
    return base, storage, db


def test_reference_numbers_are_assigned(ctx, catalog):
    refs = [s.reference for s in catalog]
    assert all(r.startswith("SVC") and len(r) == 10 for r in refs)
    assert len(set(refs)) == 3


def test_dependency_cycle_is_rejected(ctx, catalog):
    base, storage, db = catalog
    response = client(ctx.admin).patch(f"/api/v1/services/{base.pk}/", {"depends_on": [db.pk]}, format="json")
    assert response.status_code == 400
    assert "cycle" in response.json()["depends_on"][0]
    assert list(base.depends_on.all()) == []


def test_self_dependency_is_rejected(ctx, catalog):
    base = catalog[0]
    response = client(ctx.admin).patch(
        f"/api/v1/services/{base.pk}/", {"depends_on": [base.pk]}, format="json"
    )
    assert response.status_code == 400


def test_only_customers_receive_services(ctx):
    supplier = factories.organization("Parts Inc", "supplier")
    response = client(ctx.admin).post(
        "/api/v1/services/", {"name": "X", "customers": [supplier.pk]}, format="json"
    )
    assert response.status_code == 400
    assert "Parts Inc" in response.json()["customers"][0]


def test_customer_sees_only_services_it_receives(ctx, catalog):
    api = client(ctx.customer_a)
    names = [s["name"] for s in api.get("/api/v1/services/").json()["results"]]
    assert names == ["Database"]
    assert client(ctx.customer_b).get("/api/v1/services/").json()["count"] == 0


def test_status_cannot_be_patched(ctx, catalog):
    base = catalog[0]
    response = client(ctx.admin).patch(f"/api/v1/services/{base.pk}/", {"status": "retired"}, format="json")
    assert response.status_code == 400
    base.refresh_from_db()
    assert base.status == "live"


def test_transitions(ctx):
    svc = factories.service("New thing", status="pipeline")
    api = client(factories.user("cm", ctx.provider, ["catalog-manager"]))
    offered = api.get(f"/api/v1/services/{svc.pk}/transitions/").json()
    assert {t["name"] for t in offered} == {"go_live", "retire"}
    response = api.post(f"/api/v1/services/{svc.pk}/transitions/", {"transition": "go_live"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "live"
    entry = ChangeRecord.objects.filter(
        object_type="catalog.service", object_id=svc.pk, action="transition"
    ).get()
    assert entry.changes == {"status": ["pipeline", "live"]}
    # Not allowed from the current state: 409 with the reason, and nothing written.
    before = ChangeRecord.objects.count()
    response = api.post(f"/api/v1/services/{svc.pk}/transitions/", {"transition": "go_live"}, format="json")
    assert response.status_code == 409
    assert "live" in response.json()["detail"]
    assert ChangeRecord.objects.count() == before
    # Unknown transition names are bad input.
    response = api.post(f"/api/v1/services/{svc.pk}/transitions/", {"transition": "explode"}, format="json")
    assert response.status_code == 400


def test_agent_cannot_retire(ctx):
    svc = factories.service("Keep me")
    agent = client(factories.user("ca", ctx.provider, ["catalog-agent"]))
    offered = {t["name"] for t in agent.get(f"/api/v1/services/{svc.pk}/transitions/").json()}
    assert "retire" not in offered
    assert (
        agent.post(
            f"/api/v1/services/{svc.pk}/transitions/", {"transition": "retire"}, format="json"
        ).status_code
        == 403
    )


def test_cannot_retire_a_service_others_depend_on(ctx, catalog):
    base = catalog[0]
    response = client(ctx.admin).post(
        f"/api/v1/services/{base.pk}/transitions/", {"transition": "retire"}, format="json"
    )
    assert response.status_code == 409
    assert "Storage" in response.json()["detail"]


def test_list_filters(ctx, catalog):
    factories.service("Old", status="retired")
    api = client(ctx.admin)
    assert [s["name"] for s in api.get("/api/v1/services/", {"status": "retired"}).json()["results"]] == [
        "Old"
    ]
    assert api.get("/api/v1/services/", {"customers": ctx.org_a.pk}).json()["count"] == 1
    assert api.get("/api/v1/services/", {"search": "stor"}).json()["count"] == 1


class TestServicePages(RecordUISuite):
    model = Service
    writer_roles = ["catalog-manager"]

    def make(self, ctx):
        return factories.service(
            "Email", customers=[ctx.org_a], owner=factories.person("Owner", ctx.provider)
        )


def test_a_customer_of_a_shared_service_sees_only_itself_among_its_customers(ctx):
    """Several customers receive the service; each learns it is one of them, never who the others are."""
    shared = factories.service("Shared backup", customers=[ctx.org_a, ctx.org_b])
    api = client(ctx.customer_a)
    assert api.get(f"/api/v1/services/{shared.pk}/").json()["customers"] == [ctx.org_a.pk]
    listed = api.get("/api/v1/services/").json()["results"]
    assert [row["customers"] for row in listed] == [[ctx.org_a.pk]]
    # naming the other customer in a filter is refused, so it cannot be probed for either
    probe = api.get("/api/v1/services/", {"customers": ctx.org_b.pk})
    assert probe.status_code == 400 and "customers" in probe.json()
    # In the portal the customer sees the service among its own, and no other customer's name.
    page = Client()
    page.force_login(ctx.customer_a)
    assert sent_to_portal(page.get(f"/catalog/services/{shared.pk}/"))
    form = page.get("/portal/report/").content
    assert b"Shared backup" in form and ctx.org_b.name.encode() not in form
    # provider staff see them all
    staff = client(ctx.admin).get(f"/api/v1/services/{shared.pk}/").json()
    assert sorted(staff["customers"]) == sorted([ctx.org_a.pk, ctx.org_b.pk])
