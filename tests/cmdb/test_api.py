"""The REST resources `ci-types`, `cis` and `ci-relationships`: generated suites, filters and the
`impact/` and `dependencies/` endpoints."""

from __future__ import annotations

from servitium.cmdb.models import CIRelationship, CIType, ConfigurationItem
from tests import factories
from tests.base import RecordAPISuite, client
from tests.cmdb.conftest import SERVER_SCHEMA, ci, ci_type, relate


class TestCITypeAPI(RecordAPISuite):
    endpoint = "ci-types"
    model = CIType
    writer_roles = ["configuration-manager"]
    foreign_roles = ["incident-manager", "catalog-manager"]
    customer_visible = False

    def make(self, ctx):
        return ci_type(factories.unique("router"), {"vendor": {"type": "string"}})

    def create_payload(self, ctx):
        return {
            "name": factories.unique("firewall"),
            "description": "Firewalls",
            "attribute_schema": {"rules": {"type": "integer", "required": True}},
        }

    def invalid_payload(self, ctx):
        return {"name": "broken", "attribute_schema": {"vendor": {"type": "text"}}}

    def update_payload(self, ctx):
        return {"description": "Routers and firewalls"}


class TestCIAPI(RecordAPISuite):
    endpoint = "cis"
    model = ConfigurationItem
    writer_roles = ["configuration-agent"]
    foreign_roles = ["incident-manager", "problem-manager"]
    deletable = False  # agents may not delete

    def make(self, ctx):
        kind = CIType.objects.filter(name="suite server").first() or ci_type("suite server")
        return ci("srv-01", kind, customers=[ctx.org_a], attributes={"os": "Debian 12", "cpu_cores": 8})

    def create_payload(self, ctx):
        kind = CIType.objects.filter(name="suite server").first() or ci_type("suite server")
        return {
            "name": "srv-02",
            "ci_type": kind.pk,
            "status": "in_use",
            "attributes": {"os": "Debian 12", "cpu_cores": 4, "tier": "gold"},
            "customers": [ctx.org_a.pk],
        }

    def invalid_payload(self, ctx):
        kind = CIType.objects.filter(name="suite server").first() or ci_type("suite server")
        return {"name": "srv-03", "ci_type": kind.pk, "attributes": {"os": "Debian 12"}}

    def update_payload(self, ctx):
        return {"version": "2.1", "attributes": {"os": "Debian 13", "cpu_cores": 16}}


class TestCIRelationshipAPI(RecordAPISuite):
    endpoint = "ci-relationships"
    model = CIRelationship
    writer_roles = ["configuration-agent"]
    foreign_roles = ["incident-manager"]
    deletable = False

    def pair(self, ctx):
        kind = CIType.objects.filter(name="generic").first() or ci_type("generic", {})
        a = ConfigurationItem.objects.filter(name="app").first() or ci("app", kind, customers=[ctx.org_a])
        b = ConfigurationItem.objects.filter(name="vm").first() or ci("vm", kind, customers=[ctx.org_a])
        return a, b

    def make(self, ctx):
        a, b = self.pair(ctx)
        return relate(a, "runs_on", b)

    def create_payload(self, ctx):
        a, b = self.pair(ctx)
        return {"source": a.pk, "target": b.pk, "kind": "depends_on", "description": "needs it"}

    def invalid_payload(self, ctx):
        a, _b = self.pair(ctx)
        return {"source": a.pk, "target": a.pk, "kind": "depends_on"}

    def update_payload(self, ctx):
        return {"description": "the app's only VM"}


def test_manager_deletes_and_protected_types_say_why(ctx, cmdb):
    item = ci("srv-09", cmdb.generic)
    api = client(cmdb.manager)
    response = api.delete(f"/api/v1/ci-types/{cmdb.generic.pk}/")
    assert response.status_code == 400 and "srv-09" in str(response.json())
    assert api.delete(f"/api/v1/cis/{item.pk}/").status_code == 204


def test_reference_and_filters(ctx, cmdb):
    service = factories.service("Hosted Mail", customers=[ctx.org_a])
    a = ci("mx-01", cmdb.generic, customers=[ctx.org_a], service=service, status="in_use", owner=cmdb.owner)
    b = ci("mx-02", cmdb.generic, customers=[ctx.org_b])
    c = ci("db-01", cmdb.server, customers=[ctx.org_a, ctx.org_b], attributes={"os": "x", "cpu_cores": 2})
    assert a.reference.startswith("CI")
    api = client(cmdb.agent)

    def ids(**params):
        body = api.get("/api/v1/cis/", params).json()
        return {row["id"] for row in body["results"]}

    assert ids(customer=ctx.org_a.pk) == {a.pk, c.pk}
    assert ids(ci_type=cmdb.server.pk) == {c.pk}
    assert ids(status="in_use") == {a.pk}
    assert ids(service=service.pk) == {a.pk}
    assert ids(owner=cmdb.owner.pk) == {a.pk}
    assert ids(search="mx-") == {a.pk, b.pk}
    rel = relate(a, "depends_on", c)
    rows = api.get("/api/v1/ci-relationships/", {"target": c.pk}).json()["results"]
    assert [r["id"] for r in rows] == [rel.pk]
    assert api.get("/api/v1/ci-relationships/", {"kind": "runs_on"}).json()["count"] == 0


def test_duplicate_relationship_is_refused(ctx, cmdb):
    a, b = ci("a", cmdb.generic), ci("b", cmdb.generic)
    relate(a, "runs_on", b)
    payload = {"source": a.pk, "target": b.pk, "kind": "runs_on"}
    assert client(cmdb.agent).post("/api/v1/ci-relationships/", payload, format="json").status_code == 400
    payload["kind"] = "depends_on"
    assert client(cmdb.agent).post("/api/v1/ci-relationships/", payload, format="json").status_code == 201


def test_impact_and_dependencies_endpoints(ctx, cmdb):
    service = factories.service("Hosted Mail", customers=[ctx.org_a])
    host = ci("hv-01", cmdb.generic)
    vm = ci("vm-01", cmdb.generic, customers=[ctx.org_a])
    app = ci("relay", cmdb.generic, service=service)
    relate(vm, "runs_on", host)
    relate(app, "runs_on", vm)
    body = client(cmdb.agent).get(f"/api/v1/cis/{host.pk}/impact/").json()
    assert [c["name"] for c in body["cis"]] == ["relay", "vm-01"]
    assert body["services"] == [{"id": service.pk, "name": "Hosted Mail"}]
    assert body["customers"] == [{"id": ctx.org_a.pk, "name": ctx.org_a.name}]
    assert body["ci"]["id"] == host.pk
    deps = client(cmdb.agent).get(f"/api/v1/cis/{app.pk}/dependencies/").json()
    assert [c["name"] for c in deps["cis"]] == ["hv-01", "vm-01"]
    assert client(ctx.customer_b).get(f"/api/v1/cis/{host.pk}/impact/").status_code == 404


def test_schema_is_shown_and_written_as_json(ctx, cmdb):
    body = client(cmdb.agent).get(f"/api/v1/ci-types/{cmdb.server.pk}/").json()
    assert body["attribute_schema"] == SERVER_SCHEMA and body["under_change_control"] is False  # no policy
    assert client(cmdb.agent).post("/api/v1/ci-types/", {"name": "x"}, format="json").status_code == 201


def test_a_customer_sees_only_itself_among_a_shared_cis_customers(ctx, cmdb):
    shared = ci("shared-lb", cmdb.generic, customers=[ctx.org_a, ctx.org_b])
    body = client(ctx.customer_a).get(f"/api/v1/cis/{shared.pk}/").json()
    assert body["customers"] == [ctx.org_a.pk]
    listed = client(ctx.customer_b).get("/api/v1/cis/").json()["results"]
    assert [row["customers"] for row in listed] == [[ctx.org_b.pk]]
    assert sorted(client(cmdb.agent).get(f"/api/v1/cis/{shared.pk}/").json()["customers"]) == sorted(
        [ctx.org_a.pk, ctx.org_b.pk]
    )
    # Nor can a customer name another organization in a filter.
    assert client(ctx.customer_a).get("/api/v1/cis/", {"customer": ctx.org_b.pk}).status_code == 400
    impact = client(ctx.customer_a).get(f"/api/v1/cis/{shared.pk}/impact/").json()
    assert impact["customers"] == [{"id": ctx.org_a.pk, "name": ctx.org_a.name}]


def test_the_write_only_change_is_no_part_of_the_representation(ctx, cmdb):
    item = ci("srv-10", cmdb.generic)
    body = client(cmdb.agent).get(f"/api/v1/cis/{item.pk}/").json()
    assert "change" not in body
    refused = client(cmdb.agent).patch(f"/api/v1/cis/{item.pk}/", {"change": 999999}, format="json")
    assert refused.status_code == 400 and "change" in refused.json()
