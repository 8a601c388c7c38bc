"""/metrics and /health/: scraped with the test client and parsed with prometheus_client's own parser;
the protection (token, allow-list), request and task-failure counters, the change log's seal, and health
failing for a stale sealer and an unreachable queue."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from huey.contrib.djhuey import HUEY, db_task
from huey.storage import RedisStorage
from prometheus_client.parser import text_string_to_metric_families

from servitium.core import changelog, metrics
from servitium.core.models import ChainSeal


def scrape(client: Client | None = None, **extra) -> dict:
    response = (client or Client()).get("/metrics", **extra)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    return {family.name: family for family in text_string_to_metric_families(response.content.decode())}


def sample(families: dict, family: str, name: str | None = None, **labels) -> float | None:
    for found in families[family].samples:
        if found.name == (name or family) and all(found.labels.get(k) == v for k, v in labels.items()):
            return found.value
    return None


def test_requests_are_counted_by_method_route_and_status_class(ctx):
    client = Client()
    before = scrape(client)
    counted = {"method": "GET", "route": "login", "status": "2xx"}
    start = (
        sample(
            before,
            "servitium_http_request_duration_seconds",
            "servitium_http_request_duration_seconds_count",
            **counted,
        )
        or 0
    )
    for _ in range(3):
        assert client.get("/login/").status_code == 200
    assert client.get(f"/incidents/{10**9}/").status_code in (302, 404)  # an id never becomes a label
    after = scrape(client)
    count = "servitium_http_request_duration_seconds_count"
    assert sample(after, "servitium_http_request_duration_seconds", count, **counted) == start + 3
    routes = {s.labels["route"] for s in after["servitium_http_request_duration_seconds"].samples}
    assert not any(str(10**9) in route for route in routes), routes
    assert "metrics" in routes  # the scrape itself is a request
    assert "process_cpu_seconds" in after and "python_info" in after  # the process that answered


def test_nothing_without_the_token_or_an_allowed_address(ctx, settings):
    client = Client()
    settings.METRICS_TOKEN = "scrape-secret-123"
    elsewhere = {"REMOTE_ADDR": "10.20.30.40"}
    refused = client.get("/metrics", **elsewhere)
    assert refused.status_code == 403 and b"servitium_" not in refused.content
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer not-the-secret", **elsewhere)
    assert wrong.status_code == 403
    assert (
        client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-secret-123", **elsewhere).status_code == 200
    )
    assert client.get("/metrics").status_code == 200  # loopback is allowed by default
    settings.METRICS_ALLOW = ["10.20.0.0/16"]
    assert client.get("/metrics", **elsewhere).status_code == 200
    assert client.get("/metrics").status_code == 403  # loopback no longer listed
    settings.METRICS_ALLOW = []
    assert client.get("/metrics", **elsewhere).status_code == 403
    # Behind the proxy the proxy's own address (loopback) does not let everyone in.
    settings.METRICS_ALLOW, settings.BEHIND_PROXY = ["127.0.0.1/32"], True
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="10.20.30.40").status_code == 403
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 200
    settings.METRICS_ALLOW = ["not-a-network", "127.0.0.1"]  # a typo allows nobody more, breaks nothing
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 200


def test_the_change_log_seal_and_no_tenant_names(ctx):
    families = scrape()
    waiting = sample(families, "servitium_changelog_unsealed_entries")
    assert waiting and waiting > 0  # the fixtures' records, not sealed yet
    assert sample(families, "servitium_changelog_oldest_unsealed_age_seconds") >= 0
    changelog.seal()
    head = ChainSeal.objects.get(pk=1)
    families = scrape()
    assert sample(families, "servitium_changelog_unsealed_entries") == 0
    assert sample(families, "servitium_changelog_last_seal_sequence") == head.last_seq > 0
    assert sample(families, "servitium_changelog_last_seal_timestamp_seconds") == pytest.approx(
        head.sealed_at.timestamp()
    )
    assert sample(families, "servitium_task_queue_pending") == 0
    assert sample(families, "servitium_collector_up", collector="core") == 1
    text = Client().get("/metrics").content.decode()
    for organization in (ctx.provider, ctx.org_a, ctx.org_b):
        assert organization.name not in text


@db_task(retries=0)
def _failing_task() -> None:
    raise RuntimeError("metrics test failure")


def test_task_failures_are_counted(db):
    def failures() -> float:
        return (
            sample(scrape(), "servitium_task_failures", "servitium_task_failures_total", task="_failing_task")
            or 0
        )

    before = failures()
    result = _failing_task()
    with pytest.raises(Exception):  # noqa: B017 - huey wraps it in its own TaskException
        result.get()
    assert failures() == before + 1


def test_a_failing_collector_is_reported_and_the_rest_still_arrives(db, monkeypatch):
    def broken():
        raise RuntimeError("database gone")

    monkeypatch.setitem(metrics._COLLECTORS, "broken", broken)
    families = scrape()
    assert sample(families, "servitium_collector_up", collector="broken") == 0
    assert sample(families, "servitium_collector_up", collector="incidents") == 1
    assert "servitium_changelog_unsealed_entries" in families


def test_health_is_ok_normally(db):
    for url, checks in (
        ("/health/", {"database", "queue", "sealer"}),
        ("/health/ready/", {"database", "queue"}),
    ):
        response = Client().get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["status"] == "ok" and set(body["checks"]) == checks
        assert all(check["status"] == "ok" for check in body["checks"].values())
        assert "no-cache" in response["Cache-Control"]


def test_a_stale_sealer_fails_health_until_it_seals(ctx, settings):
    settings.HEALTH_SEAL_MAX_AGE_S = 600
    assert Client().get("/health/").status_code == 200  # entries are waiting, but only just written
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=700), tick=False):
        response = Client().get("/health/")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "failing" and body["checks"]["sealer"]["status"] == "failing"
        assert "limit 600 s" in body["checks"]["sealer"]["detail"]
        assert body["checks"]["database"]["status"] == "ok"
        assert Client().get("/health/ready/").status_code == 200  # balancers keep the node
        changelog.seal()
        assert Client().get("/health/").status_code == 200


def test_an_unreachable_queue_fails_health_without_saying_where(db, monkeypatch):
    unreachable = RedisStorage("servitium", url="redis://:secret-word@127.0.0.1:1/0")
    monkeypatch.setattr(HUEY, "storage", unreachable)
    for url in ("/health/", "/health/ready/"):
        response = Client().get(url)
        assert response.status_code == 503
        check = response.json()["checks"]["queue"]
        assert check["status"] == "failing" and check["detail"] == "unavailable (ConnectionError)"
        assert b"127.0.0.1:1" not in response.content and b"secret-word" not in response.content
    families = scrape()  # the scrape still answers; the queue's gauges go with core's collector
    assert sample(families, "servitium_collector_up", collector="core") == 0


def test_only_get(db):
    assert Client().post("/metrics").status_code == 405
    assert Client().post("/health/").status_code == 405


def test_a_new_run_empties_only_the_counters_files(tmp_path, monkeypatch):
    monkeypatch.setenv(metrics.MULTIPROC_ENV, str(tmp_path))
    (tmp_path / "counter_123.db").write_bytes(b"old")
    (tmp_path / "notes.txt").write_text("the operator's")
    assert metrics.prepare_multiprocess_dir(tmp_path / "unused") == str(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    monkeypatch.delenv(metrics.MULTIPROC_ENV)
    fresh = metrics.prepare_multiprocess_dir(tmp_path / "metrics")
    assert fresh == str(tmp_path / "metrics") and (tmp_path / "metrics").is_dir()
