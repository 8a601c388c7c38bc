"""The licence view (2018 8.2.5) and the service map: figures, flags, and what each reader may see."""

from __future__ import annotations

import datetime as dt

import pytest

from servitium.cmdb import selectors
from tests import factories
from tests.base import client
from tests.cmdb.conftest import ci, ci_type, relate

LICENCE_SCHEMA = {
    "licensed_units": {"type": "integer", "required": True},
    "unit": {"type": "string"},
    "expires_on": {"type": "date", "required": True},
    "contract_reference": {"type": "string"},
    "units_in_use": {"type": "integer"},
}


def in_days(days: int) -> str:
    return (dt.date.today() + dt.timedelta(days=days)).isoformat()


@pytest.fixture
def licences(ctx, cmdb):
    kind = ci_type("licence", LICENCE_SCHEMA)
    full = ci(
        "DB licence",
        kind,
        status="in_use",
        customers=[ctx.org_a],
        attributes={
            "licensed_units": 2,
            "unit": "cores",
            "expires_on": in_days(30),
            "contract_reference": "CTR1",
        },
    )
    roomy = ci(
        "Mail licence",
        kind,
        status="in_use",
        attributes={"licensed_units": 100, "unit": "users", "expires_on": in_days(400), "units_in_use": 40},
    )
    old = ci(
        "Old licence", kind, status="in_use", attributes={"licensed_units": 5, "expires_on": in_days(-1)}
    )
    for name in ("db-1", "db-2", "db-3"):
        relate(ci(name, cmdb.generic, customers=[ctx.org_a]), "depends_on", full)
    relate(ci("doc", cmdb.generic), "part_of", full)  # not an installation
    return full, roomy, old


def test_licence_figures_and_flags(ctx, cmdb, licences):
    full, roomy, old = licences
    rows = {r["name"]: r for r in client(cmdb.agent).get("/api/v1/cis/licences/").json()}
    assert rows["DB licence"] | {} == {
        "id": full.pk,
        "reference": full.reference,
        "name": "DB licence",
        "status": "in_use",
        "entitlement": 2,
        "metric": "cores",
        "used": 3,
        "headroom": -1,
        "expires_on": in_days(30),
        "days_to_expiry": 30,
        "contract": "CTR1",
        "over_use": True,
        "expiring": True,
        "expired": False,
    }
    assert (rows["Mail licence"]["used"], rows["Mail licence"]["headroom"]) == (40, 60)
    assert not rows["Mail licence"]["over_use"] and not rows["Mail licence"]["expiring"]
    assert rows["Old licence"]["expired"] and not rows["Old licence"]["expiring"]


def test_customers_see_only_their_licences(ctx, licences):
    names = [r["name"] for r in client(ctx.customer_a).get("/api/v1/cis/licences/").json()]
    assert names == ["DB licence"]
    assert client(ctx.customer_b).get("/api/v1/cis/licences/").json() == []


def test_licence_check(ctx, cmdb, licences):
    from servitium.core.checks import REGISTRY

    check = REGISTRY["cmdb.licences_within_limits"]
    assert "iso20000-1:2018#8.2.5.s1" in check.requirements
    result = check.run()
    assert (
        result.status == "partly_met" and result.figures["total"] == 3 and result.figures["conforming"] == 1
    )
    assert {g.object_id for g in result.gaps} == {licences[0].pk, licences[2].pk}


@pytest.fixture
def chain(ctx, cmdb):
    svc = ci("Portal", cmdb.generic, status="in_use", customers=[ctx.org_a])
    app = ci("portal-app", cmdb.generic, status="in_use", customers=[ctx.org_a])
    vm = ci("vm-1", cmdb.generic, status="maintenance", customers=[ctx.org_a])
    host = ci("host-1", cmdb.generic, status="in_use")  # serves no customer directly
    relate(svc, "depends_on", app)
    relate(app, "runs_on", vm)
    relate(vm, "runs_on", host)
    relate(host, "depends_on", svc)  # a cycle
    return svc, app, vm, host


def test_map_levels_edges_and_depth(ctx, cmdb, chain):
    svc, app, vm, host = chain
    body = client(cmdb.agent).get(f"/api/v1/cis/{app.pk}/map/", {"depth": 1}).json()
    levels = {n["name"]: n["level"] for n in body["nodes"]}
    assert levels == {"portal-app": 0, "vm-1": 1, "Portal": -1}
    assert {(e["source"], e["kind"], e["target"]) for e in body["edges"]} == {
        (svc.pk, "depends_on", app.pk),
        (app.pk, "runs_on", vm.pk),
    }
    health = {n["name"]: n["health"] for n in body["nodes"]}
    assert health["vm-1"] == "degraded" and health["portal-app"] == "ok"
    deep = client(cmdb.agent).get(f"/api/v1/cis/{app.pk}/map/", {"depth": 4}).json()
    assert len(deep["nodes"]) == 4 and len(deep["edges"]) == 4  # the cycle ends
    assert client(cmdb.agent).get(f"/api/v1/cis/{app.pk}/map/", {"depth": 9}).status_code == 400


def test_map_shows_customers_only_their_cis(ctx, cmdb, chain):
    svc, app, vm, host = chain
    body = client(ctx.customer_a).get(f"/api/v1/cis/{app.pk}/map/", {"depth": 3}).json()
    assert host.pk not in {n["id"] for n in body["nodes"]}
    assert all(host.pk not in (e["source"], e["target"]) for e in body["edges"])
    assert client(ctx.customer_b).get(f"/api/v1/cis/{app.pk}/map/").status_code == 404


def test_map_marks_cis_with_open_incidents_failed(ctx, cmdb, chain):
    from servitium.incidents.models import Incident

    svc, app, vm, host = chain
    Incident.objects.create(
        reference="INC9000001",
        title="down",
        affected_ci=host,
        status="in_progress",
        priority=2,
        impact=2,
        urgency=2,
        customer=ctx.org_a,
        service=factories.service("Portal svc", customers=[ctx.org_a]),
    )
    data = selectors.ci_map(app, None, 2)
    assert {n["name"]: n["health"] for n in data["nodes"]}["host-1"] == "failed"


def test_ci_page_draws_the_map(ctx, cmdb, chain):
    from django.test import Client

    svc, app, vm, host = chain
    web = Client()
    web.force_login(cmdb.agent)
    page = web.get(f"/cmdb/{app.pk}/?depth=2").content.decode()
    assert 'id="ci-map"' in page and f'href="/cmdb/{vm.pk}/?depth=2"' in page and ">runs on<" in page
