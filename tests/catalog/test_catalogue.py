"""Service components, offerings with options, the dependency graph and the customer-facing catalogue."""

from __future__ import annotations

from django.test import Client

from servitium.catalog.models import Offering, OfferingOption, ServiceComponent
from servitium.core import services as core_services
from tests import factories
from tests.base import RecordAPISuite, client, sent_to_portal


def offering(service, name="Standard VM", public=True, status="available"):
    return core_services.record_create(
        model=Offering,
        data={"service": service, "name": name, "summary": "A VM", "public": public, "status": status},
        actor=None,
    )


class TestComponentAPI(RecordAPISuite):
    endpoint = "service-components"
    model = ServiceComponent
    writer_roles = ["catalog-manager"]
    foreign_roles = ["parties-manager"]
    customer_visible = False

    def make(self, ctx):
        svc = factories.service("Email", customers=[ctx.org_a])
        return core_services.record_create(
            model=ServiceComponent, data={"service": svc, "name": "MTA"}, actor=None
        )

    def create_payload(self, ctx):
        return {"service": factories.service("Storage").pk, "name": "Disk array", "kind": "infrastructure"}

    def invalid_payload(self, ctx):
        return {"service": 999999, "name": "x"}

    def update_payload(self, ctx):
        return {"description": "Postfix relays"}


class TestOfferingAPI(RecordAPISuite):
    endpoint = "offerings"
    model = Offering
    writer_roles = ["catalog-manager"]
    foreign_roles = ["parties-manager"]

    def make(self, ctx):
        # Private offering of a service only org_a receives: org_b must not see it.
        return offering(factories.service("Compute", customers=[ctx.org_a]), public=False)

    def create_payload(self, ctx):
        return {"service": factories.service("Backup").pk, "name": "Daily backup", "summary": "35 days kept"}

    def invalid_payload(self, ctx):
        return {"service": factories.service("Backup2").pk, "name": "No summary"}

    def update_payload(self, ctx):
        return {"summary": "Virtual machine, monthly billing"}


def test_public_offerings_of_live_services_are_visible_to_all_customers(ctx):
    live = factories.service("Compute")
    pipeline = factories.service("GPU", status="pipeline")
    shown = offering(live, "Standard VM")
    hidden_pipeline = offering(pipeline, "GPU VM")
    hidden_private = offering(live, "Dedicated host", public=False)
    withdrawn = offering(live, "Old VM", status="withdrawn")
    names = {o["name"] for o in client(ctx.customer_b).get("/api/v1/offerings/").json()["results"]}
    assert names == {shown.name}
    assert (
        hidden_pipeline.name not in names and hidden_private.name not in names and withdrawn.name not in names
    )


def test_only_one_default_option_per_kind(ctx):
    off = offering(factories.service("Compute"))
    api = client(ctx.admin)
    small = api.post(
        "/api/v1/offering-options/",
        {"offering": off.pk, "kind": "size", "name": "S", "is_default": True},
        format="json",
    )
    large = api.post(
        "/api/v1/offering-options/",
        {"offering": off.pk, "kind": "size", "name": "L", "is_default": True},
        format="json",
    )
    assert small.status_code == 201 and large.status_code == 201
    defaults = list(
        OfferingOption.objects.filter(offering=off, is_default=True).values_list("name", flat=True)
    )
    assert defaults == ["L"]


def test_dependency_graph(ctx):
    dc = factories.service("Data centre")
    compute = factories.service("Compute", depends_on=[dc])
    db = factories.service("Database", depends_on=[compute])
    web = factories.service("Web hosting", depends_on=[db])
    core_services.record_create(
        model=ServiceComponent, data={"service": db, "name": "Replication"}, actor=None
    )
    graph = client(ctx.admin).get(f"/api/v1/services/{db.pk}/graph/").json()
    levels = {n["label"]: n["level"] for n in graph["nodes"]}
    assert levels == {"Database": 0, "Compute": 1, "Data centre": 2, "Web hosting": -1, "Replication": 1}
    edges = {(e["from"], e["to"]) for e in graph["edges"]}
    assert (f"service:{web.pk}", f"service:{db.pk}") in edges
    assert (f"service:{compute.pk}", f"service:{dc.pk}") in edges


def test_graph_respects_permissions(ctx):
    base = factories.service("Shared base")
    mine = factories.service("Mine", depends_on=[base], customers=[ctx.org_a])
    graph = client(ctx.customer_a).get(f"/api/v1/services/{mine.pk}/graph/").json()
    assert [n["label"] for n in graph["nodes"]] == ["Mine"]
    assert client(ctx.customer_b).get(f"/api/v1/services/{mine.pk}/graph/").status_code == 404


def test_service_map_and_catalogue_pages(ctx):
    dc = factories.service("Data centre")
    compute = factories.service("Compute", depends_on=[dc], customers=[ctx.org_a])
    off = offering(compute, "Standard VM")
    core_services.record_create(
        model=OfferingOption, data={"offering": off, "kind": "region", "name": "Frankfurt"}, actor=None
    )
    staff = Client()
    staff.force_login(ctx.admin)
    page = staff.get(f"/catalog/services/{compute.pk}/map/")
    assert page.status_code == 200 and b"<svg" in page.content and b"Data centre" in page.content
    customer = Client()
    customer.force_login(ctx.customer_b)
    # Customers use the portal (its catalogue lists the services they receive); a public offering stays
    # readable to every customer through the API.
    assert sent_to_portal(customer.get("/catalog/"))
    listed = client(ctx.customer_b).get("/api/v1/offerings/").json()["results"]
    assert [o["name"] for o in listed] == ["Standard VM"]
