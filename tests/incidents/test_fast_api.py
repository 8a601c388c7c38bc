"""The lean API path for incidents renders and validates exactly as the DRF serializer does (the REST
contract), with a small fixed number of queries per create."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIRequestFactory

from servitium.core.api.lean import representation_of
from servitium.incidents import services
from servitium.incidents.api import INCIDENT_INPUT, IncidentSerializer
from servitium.incidents.models import Incident
from tests import factories
from tests.base import client
from tests.incidents.conftest import berlin


def as_json(data) -> dict:
    return json.loads(JSONRenderer().render(data))


def test_fast_rendering_equals_the_serializer(ctx, sla):
    request = APIRequestFactory().get("/api/v1/incidents/")
    request.user = ctx.admin
    caller = factories.person("Caller", ctx.org_a, email="c@a.example")
    tickets = [
        services.incident_create(
            actor=None,
            data={"customer": ctx.org_a, "service": sla.service, "title": "t1", "caller": caller},
            now=berlin(2026, 3, 2, 9),
        ),
        services.incident_create(actor=None, data={"customer": ctx.org_a, "title": "no clocks"}),
        services.incident_create(
            actor=None, data={"customer": ctx.org_a, "kind": "request", "title": "req", "is_security": False}
        ),
    ]
    services.incident_transition(
        actor=None, instance=tickets[0], transition="start_work", now=berlin(2026, 3, 2, 10)
    )
    for ticket in Incident.objects.filter(pk__in=[t.pk for t in tickets]):
        expected = as_json(IncidentSerializer(ticket, context={"request": request}).data)
        assert (
            as_json(representation_of(IncidentSerializer).render_one(ticket, {"request": request}))
            == expected
        )


BAD_PAYLOADS = [
    {},
    {"title": ""},
    {"title": "x" * 251},
    {"title": True},
    {"title": "ok", "impact": 7},
    {"title": "ok", "impact": "high"},
    {"title": "ok", "urgency": None},
    {"title": "ok", "channel": "pigeon"},
    {"title": "ok", "service": "abc"},
    {"title": "ok", "service": 999999},
    {"title": "ok", "service": [1]},
    {"title": "ok", "is_security": "maybe"},
    {"title": "ok", "security_risk": 9},
    {"title": "ok", "category": {"a": 1}},
]


@pytest.mark.parametrize("payload", BAD_PAYLOADS)
def test_fast_validation_gives_the_serializers_messages(ctx, payload):
    request = APIRequestFactory().post("/api/v1/incidents/")
    request.user = ctx.admin
    serializer = IncidentSerializer(data={"customer": ctx.org_a.pk, **payload}, context={"request": request})
    assert not serializer.is_valid()
    _data, errors = INCIDENT_INPUT.parse({"customer": ctx.org_a.pk, **payload}, ctx.admin)
    assert errors == {k: [str(m) for m in v] for k, v in serializer.errors.items()}


def test_api_create_through_the_lean_path(ctx, sla):
    api = client(ctx.admin)
    payload = {
        "customer": ctx.org_a.pk,
        "service": sla.service.pk,
        "title": " Mail down ",
        "impact": "2",
        "urgency": 2,
    }
    with CaptureQueriesContext(connection) as queries:
        r = api.post("/api/v1/incidents/", payload, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["title"] == "Mail down" and body["impact"] == 2 and body["priority"] == 3
    assert {c["metric"] for c in body["sla_clocks"]} == {"response_time", "resolution_time"}
    assert len(queries) <= 16  # token, customer, service, priority, reference, rows, log, targets, clocks
    assert client(ctx.admin).get(body["url"]).json() == {**body, "sla_clocks": body["sla_clocks"]}
    bad = api.post("/api/v1/incidents/", {"title": "x"}, format="json")
    assert bad.status_code == 400 and bad.json() == {"customer": ["This field is required."]}
    other = api.post("/api/v1/incidents/", {"title": "x", "customer": 10**9}, format="json")
    assert other.status_code == 400 and "does not exist" in other.json()["customer"][0]


def test_customer_cannot_use_anothers_service_or_customer(ctx, sla):
    other_service = factories.service("Other", customers=[ctx.org_b])
    api = client(ctx.customer_a)
    r = api.post("/api/v1/incidents/", {"title": "x", "service": other_service.pk}, format="json")
    assert r.status_code == 400 and "does not exist" in r.json()["service"][0]
    r = api.post("/api/v1/incidents/", {"title": "x", "customer": ctx.org_b.pk}, format="json")
    assert r.status_code == 400
    ok = api.post("/api/v1/incidents/", {"title": "mine", "service": sla.service.pk}, format="json")
    assert ok.status_code == 201 and ok.json()["customer"] == ctx.org_a.pk


def test_large_lists_count_exactly_up_to_the_cap_then_estimate(ctx, monkeypatch):
    from servitium.core.api.pagination import CappedCountPaginator

    for i in range(6):
        services.incident_create(actor=None, data={"customer": ctx.org_a, "title": f"t{i}"})
    api = client(ctx.admin)
    body = api.get("/api/v1/incidents/", {"page_size": 2}).json()
    assert body["count"] == 6 and "count_is_estimate" not in body and len(body["results"]) == 2
    monkeypatch.setattr(CappedCountPaginator, "cap", 3)
    # A filter the database keeps no count for (the customer): counted up to the cap, then estimated.
    body = api.get("/api/v1/incidents/", {"page_size": 2, "customer": ctx.org_a.pk}).json()
    if connection.vendor == "postgresql":
        assert (
            body["count_is_estimate"] is True and body["count"] >= 4
        )  # the planner's figure, at least cap+1
    else:
        assert body["count"] == 6 and "count_is_estimate" not in body  # SQLite installs are small: exact
    assert len(body["results"]) == 2 and body["next"]
    # The whole list or one status: the kept counts (PostgreSQL) answer exactly beyond the cap.
    for filters in ({}, {"status": "new"}):
        body = api.get("/api/v1/incidents/", {"page_size": 2, **filters}).json()
        assert body["count"] == 6 and "count_is_estimate" not in body
    # Nothing can match (the permission path answers some readers with an empty query): zero, no error.
    assert CappedCountPaginator(Incident.objects.none(), 2).count == 0
    assert CappedCountPaginator(Incident.objects.filter(pk__in=[]), 2).count == 0


def test_lookup_by_primary_key_only_where_the_permission_path_would_not_filter(ctx):
    """`unrestricted` must agree with `restrict`: whenever it says yes, restrict leaves the query as it is."""
    from servitium.catalog.models import Offering, Service
    from servitium.core import permissions
    from servitium.core.sqlread import by_pk
    from servitium.parties.models import Organization

    users = [
        ctx.admin,
        ctx.auditor,
        ctx.customer_a,
        factories.user("ag_u", ctx.provider, ["incident-agent"]),
        factories.user("sup_u", ctx.provider, ["supplier-agent"]),
    ]
    for user in users:
        for model in (Organization, Service, Offering, Incident):
            whole = model._default_manager.all()
            if permissions.unrestricted(user, model):
                assert str(permissions.restrict(whole, user).query) == str(whole.query), (user, model)
    assert not permissions.unrestricted(ctx.customer_a, Organization)
    assert by_pk(Organization, ctx.org_a.pk) == ctx.org_a and by_pk(Organization, 10**9) is None


def test_incident_links_its_affected_ci_within_the_readers_reach(ctx):
    from tests.cmdb.conftest import ci, ci_type

    kind = ci_type(schema={})
    server_a = ci("srv-a-01", kind, customers=[ctx.org_a])
    server_b = ci("srv-b-01", kind, customers=[ctx.org_b])
    api = client(ctx.customer_a)
    mine = api.post("/api/v1/incidents/", {"title": "Down", "affected_ci": server_a.pk}, format="json")
    assert mine.status_code == 201, mine.content
    assert mine.json()["affected_ci"] == server_a.pk and mine.json()["affected_ci_name"] == "srv-a-01"
    other = api.post("/api/v1/incidents/", {"title": "Down", "affected_ci": server_b.pk}, format="json")
    assert other.status_code == 400 and "does not exist" in other.json()["affected_ci"][0]
    assert server_a.incidents.count() == 1


def test_a_page_and_its_count_are_read_in_one_statement(ctx):
    """The records of a page and the capped count come back together (one round trip, one snapshot);
    a page past the end and an empty list are answered as before."""
    from django.core.paginator import EmptyPage, PageNotAnInteger

    from servitium.core.api.pagination import CappedCountPaginator

    for i in range(5):
        services.incident_create(actor=None, data={"customer": ctx.org_a, "title": f"t{i}"})
    tickets = Incident.objects.order_by("-id")
    second = [t.pk for t in tickets[2:4]]
    with CaptureQueriesContext(connection) as queries:
        paginator = CappedCountPaginator(tickets, 2)
        page = paginator.page(2)
        assert paginator.count == 5 and paginator.num_pages == 3
        assert [t.pk for t in page] == second
        assert page.has_next() and page.has_previous()
    assert len(queries) == 1
    assert not hasattr(page[0], "capped_total_")  # the count leaves nothing on the records
    last = CappedCountPaginator(tickets, 2).page(3)
    assert len(last) == 1 and not last.has_next()
    with pytest.raises(EmptyPage):
        CappedCountPaginator(tickets, 2).page(4)
    with pytest.raises(EmptyPage):
        CappedCountPaginator(tickets, 2).page(0)
    with pytest.raises(PageNotAnInteger):
        CappedCountPaginator(tickets, 2).page("two")
    empty = CappedCountPaginator(Incident.objects.filter(title="no such ticket"), 2).page(1)
    assert len(empty) == 0 and empty.paginator.count == 0
    # Through the API: the page and the count agree, page by page.
    api = client(ctx.admin)
    seen = []
    for number in (1, 2, 3):
        body = api.get("/api/v1/incidents/", {"page_size": 2, "page": number}).json()
        assert body["count"] == 5
        seen += [r["id"] for r in body["results"]]
    assert len(set(seen)) == 5
    assert api.get("/api/v1/incidents/", {"page_size": 2, "page": 4}).status_code == 404
    # a page number far beyond any table (its offset beyond the database's integers): 404, not a failure
    assert api.get("/api/v1/incidents/", {"page_size": 2, "page": 10**20}).status_code == 404
