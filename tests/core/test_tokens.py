"""API tokens: random, stored as digests, one indexed lookup, revocable and expiring."""

from __future__ import annotations

import datetime as dt
import io

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from servitium.core.models import ApiToken
from servitium.core.services import api_token_create, api_token_revoke, token_digest


def token_client(key: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def test_create_token_command_prints_a_working_key(ctx):
    out = io.StringIO()
    call_command("create_token", "suite_admin", stdout=out)
    key = out.getvalue().strip()
    assert len(key) >= 40
    assert not ApiToken.objects.filter(digest=key).exists()
    assert ApiToken.objects.filter(digest=token_digest(key)).exists()
    assert token_client(key).get("/api/v1/services/").status_code == 200
    assert APIClient().get("/api/v1/services/").status_code == 401
    assert token_client("x" * 43).get("/api/v1/services/").status_code == 401


def test_revoked_and_expired_tokens_fail(ctx):
    token, key = api_token_create(user=ctx.admin)
    api_token_revoke(token=token)
    assert token_client(key).get("/api/v1/services/").status_code == 401
    _token, key2 = api_token_create(user=ctx.admin, expires=timezone.now() - dt.timedelta(seconds=1))
    assert token_client(key2).get("/api/v1/services/").status_code == 401


def test_token_auth_is_one_query(ctx):
    _token, key = api_token_create(user=ctx.admin)
    api = token_client(key)
    api.get("/api/v1/roles/")  # first use records last_used
    with CaptureQueriesContext(connection) as queries:
        assert api.get("/api/v1/roles/").status_code == 200
    assert len(queries) == 1, [q["sql"] for q in queries]


def test_tokens_endpoint_shows_key_once_and_revokes(ctx):
    api = APIClient()
    api.force_authenticate(ctx.auditor)
    created = api.post("/api/v1/tokens/", {"name": "ci"}, format="json").json()
    assert len(created["key"]) >= 40
    listed = api.get("/api/v1/tokens/").json()
    assert listed[0]["key"] is None and listed[0]["prefix"] == created["key"][:8]
    assert api.delete(f"/api/v1/tokens/{created['id']}/").status_code == 204
    assert token_client(created["key"]).get("/api/v1/services/").status_code == 401
