"""Impact analysis and dependencies on a small hand-checked graph with a cycle and a `connects_to` link,
limited to what the reader may see.

    S --depends_on--> A --runs_on--> V1 --runs_on--> H --depends_on--> W <--connects_to-- P
                      ^  \\                          ^
        B --depends_on+   +--depends_on--> B         X --part_of--> V2 --runs_on--+
    U --depends_on--> Z   (unrelated)

A and B depend on each other (a cycle).
"""

from __future__ import annotations

import pytest

from servitium.cmdb import selectors
from servitium.cmdb.models import CIRelationship
from tests import factories
from tests.base import client, entries_for
from tests.cmdb.conftest import ci, relate


@pytest.fixture
def graph(ctx, cmdb):
    mail = factories.service("Hosted Mail", customers=[ctx.org_a])
    shop = factories.service("Web Shop", customers=[ctx.org_b])
    g = {}
    g["H"] = ci("H", cmdb.generic, customers=[ctx.org_a, ctx.org_b])
    g["W"] = ci("W", cmdb.generic)
    g["P"] = ci("P", cmdb.generic)
    g["V1"] = ci("V1", cmdb.generic, customers=[ctx.org_a], service=mail)
    g["V2"] = ci("V2", cmdb.generic, customers=[ctx.org_b])
    g["A"] = ci("A", cmdb.generic, customers=[ctx.org_a], service=mail)
    g["B"] = ci("B", cmdb.generic)
    g["S"] = ci("S", cmdb.generic, customers=[ctx.org_b], service=shop)
    g["X"] = ci("X", cmdb.generic)
    g["U"] = ci("U", cmdb.generic)
    g["Z"] = ci("Z", cmdb.generic)
    for source, kind, target in [
        ("S", "depends_on", "A"),
        ("A", "runs_on", "V1"),
        ("A", "depends_on", "B"),
        ("B", "depends_on", "A"),
        ("V1", "runs_on", "H"),
        ("V2", "runs_on", "H"),
        ("X", "part_of", "V2"),
        ("H", "depends_on", "W"),
        ("P", "connects_to", "W"),
        ("U", "depends_on", "Z"),
    ]:
        relate(g[source], kind, g[target])
    g["mail"], g["shop"] = mail, shop
    return g


def names(queryset) -> set[str]:
    return {ci.name for ci in queryset}


@pytest.mark.parametrize(
    ("start", "affected"),
    [
        ("H", {"V1", "V2", "A", "B", "S", "X"}),
        ("W", {"H", "P", "V1", "V2", "A", "B", "S", "X"}),
        ("P", {"W", "H", "V1", "V2", "A", "B", "S", "X"}),
        ("A", {"B", "S"}),
        ("B", {"A", "S"}),
        ("V2", {"X"}),
        ("S", set()),
        ("Z", {"U"}),
    ],
)
def test_impact(graph, start, affected):
    assert names(selectors.impact(graph[start]).cis) == affected


@pytest.mark.parametrize(
    ("start", "needed"),
    [
        ("S", {"A", "B", "V1", "H", "W", "P"}),
        ("X", {"V2", "H", "W", "P"}),
        ("A", {"B", "V1", "H", "W", "P"}),
        ("W", {"P"}),
        ("U", {"Z"}),
        ("Z", set()),
    ],
)
def test_dependencies(graph, start, needed):
    assert names(selectors.dependencies(graph[start]).cis) == needed


def test_affected_services_and_customers(ctx, graph):
    reach = selectors.impact(graph["H"])
    assert set(reach.services) == {graph["mail"], graph["shop"]}
    assert set(reach.customers) == {ctx.org_a, ctx.org_b}
    reach = selectors.impact(graph["X"])  # nothing depends on X; it has no service or customer
    assert list(reach.cis) == [] and list(reach.services) == [] and list(reach.customers) == []
    reach = selectors.impact(graph["V1"])  # A, B, S: the shop's customer through S's service
    assert set(reach.services) == {graph["mail"], graph["shop"]}
    assert set(reach.customers) == {ctx.org_a, ctx.org_b}


def test_the_walk_is_one_query_however_deep(ctx, cmdb, django_assert_max_num_queries):
    chain = [ci(f"n{i}", cmdb.generic) for i in range(30)]
    for upper, lower in zip(chain[1:], chain, strict=False):
        relate(upper, "runs_on", lower)
    relate(chain[0], "depends_on", chain[-1])  # a long cycle
    with django_assert_max_num_queries(4):
        body = selectors.impact(chain[0]).as_dict()
    assert len(body["cis"]) == 29


def test_customers_only_see_cis_serving_them(ctx, graph):
    api = client(ctx.customer_a)
    listed = {row["name"] for row in api.get("/api/v1/cis/", {"page_size": 100}).json()["results"]}
    assert listed == {"H", "V1", "A"}
    assert api.get(f"/api/v1/cis/{graph['S'].pk}/").status_code == 404
    rels = api.get("/api/v1/ci-relationships/", {"page_size": 100}).json()["results"]
    assert {(r["source"], r["target"]) for r in rels} == {
        (graph["A"].pk, graph["V1"].pk),
        (graph["V1"].pk, graph["H"].pk),
    }


def test_impact_is_restricted_for_the_reader(ctx, graph):
    reach = selectors.impact(graph["H"], ctx.customer_a)
    assert names(reach.cis) == {"V1", "A"}
    assert list(reach.services) == [graph["mail"]]
    assert list(reach.customers) == [ctx.org_a]
    body = client(ctx.customer_a).get(f"/api/v1/cis/{graph['H'].pk}/impact/").json()
    assert {c["name"] for c in body["cis"]} == {"V1", "A"}
    assert body["customers"] == [{"id": ctx.org_a.pk, "name": ctx.org_a.name}]
    body = client(ctx.customer_b).get(f"/api/v1/cis/{graph['H'].pk}/impact/").json()
    assert {c["name"] for c in body["cis"]} == {"V2", "S"}
    assert {s["name"] for s in body["services"]} == {"Web Shop"}


def test_other_areas_see_no_cis(ctx, graph):
    outsider = factories.user("im", ctx.provider, ["incident-manager"])
    assert client(outsider).get("/api/v1/cis/").json()["count"] == 0
    assert names(selectors.impact(graph["H"], outsider).cis) == set()


def test_deleting_a_ci_logs_its_relationships_too(ctx, cmdb, graph):
    rel = CIRelationship.objects.get(source=graph["A"], target=graph["V1"])
    response = client(cmdb.manager).delete(f"/api/v1/cis/{graph['V1'].pk}/")
    assert response.status_code == 204
    assert [r.action for r in entries_for(rel)][-1] == "delete"
    assert not CIRelationship.objects.filter(pk=rel.pk).exists()
