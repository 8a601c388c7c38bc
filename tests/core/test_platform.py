"""Platform baseline: OpenAPI schema, deploy checks, login rate limit, references, calendars API, roles."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client

from servitium.catalog.models import Service
from servitium.core.references import next_reference
from tests import factories
from tests.base import client


def test_openapi_schema_validates(db, tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    text = (tmp_path / "schema.yml").read_text()
    assert "/api/v1/services/{id}/transitions/" in text
    assert "tokenAuth" in text


def test_schema_and_docs_are_served(ctx):
    api = client(ctx.admin)
    assert api.get("/api/schema/", {"format": "json"}).status_code == 200
    assert api.get("/api/docs/").status_code == 200


def test_deploy_checks_are_clean(settings):
    settings.DEBUG = False
    call_command("check", "--deploy", "--fail-level", "WARNING")


def test_login_is_rate_limited(ctx, settings):
    settings.LOGIN_RATE_LIMIT = 3
    browser = Client()
    for _ in range(3):
        assert browser.post("/login/", {"username": "suite_admin", "password": "wrong"}).status_code == 200
    blocked = browser.post("/login/", {"username": "suite_admin", "password": factories.PASSWORD})
    assert blocked.status_code == 429
    assert "_auth_user_id" not in browser.session


def test_login_works(ctx):
    browser = Client()
    response = browser.post("/login/", {"username": "suite_admin", "password": factories.PASSWORD})
    assert response.status_code == 302
    assert browser.get("/").status_code == 200


def test_references_increase(db):
    first = next_reference("TST")
    second = next_reference("TST")
    assert first.startswith("TST") and len(first) == 10
    assert int(second[3:]) == int(first[3:]) + 1


@pytest.mark.django_db(transaction=True)
def test_references_unique_under_parallel_creation():
    """Eight threads create services at once; every reference number must be distinct."""
    if connection.vendor != "postgresql":
        pytest.skip("parallel writers need PostgreSQL (SQLite serialises writers by design)")
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker(n: int) -> None:
        try:
            barrier.wait()
            for i in range(10):
                factories.service(f"parallel-{n}-{i}")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    refs = list(Service.objects.values_list("reference", flat=True))
    assert len(refs) == 80 and len(set(refs)) == 80


def test_roles_endpoint(ctx):
    names = {r["name"] for r in client(ctx.auditor).get("/api/v1/roles/").json()}
    assert {"administrator", "auditor", "customer", "catalog-manager", "parties-agent"} <= names
