"""Lists do not issue a query per row (no N+1), in the API and in the UI."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.base import client


def count_queries(func) -> int:
    with CaptureQueriesContext(connection) as queries:
        func()
    return len(queries)


def test_service_list_query_count_is_flat(ctx):
    owner = factories.person("Owner", ctx.provider)
    api, browser = client(ctx.admin), Client()
    browser.force_login(ctx.admin)
    factories.service("S0", customers=[ctx.org_a], owner=owner)
    api_one = count_queries(lambda: api.get("/api/v1/services/"))
    ui_one = count_queries(lambda: browser.get("/catalog/services/"))
    for i in range(1, 8):
        factories.service(f"S{i}", customers=[ctx.org_a, ctx.org_b], owner=owner)
    assert count_queries(lambda: api.get("/api/v1/services/")) == api_one
    assert count_queries(lambda: browser.get("/catalog/services/")) == ui_one


def test_people_list_query_count_is_flat(ctx):
    api = client(ctx.customer_a)
    factories.person("P0", ctx.org_a)
    one = count_queries(lambda: api.get("/api/v1/people/"))
    for i in range(1, 6):
        factories.person(f"P{i}", ctx.org_a)
    assert count_queries(lambda: api.get("/api/v1/people/")) == one
