"""/metrics of a real `servitium run` with two web workers: requests answered by either worker (and by the
API fast lane, which bypasses Django's middleware) are all counted, and a file left by an earlier run is
cleared before the workers start."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from tests.core.test_supervision import _free_port, _scratch_database, _wait_for

TOKEN = "metrics-run-token-1"
SETUP = """
import django
django.setup()
from servitium.core import services as core
from servitium.parties import services as parties
from servitium.parties.models import Organization
make = core.record_create
provider = make(model=Organization, data={"name": "Metrics Provider", "kind": "provider"}, actor=None)
customer = make(model=Organization, data={"name": "Metrics Customer", "kind": "customer"}, actor=None)
admin = parties.user_create(actor=None, data={
    "username": "admin", "password": "metrics-run-password-1", "email": "admin@metrics.example",
    "organization": provider, "roles": ["administrator"], "is_staff": True})
print(core.api_token_create(user=admin)[1], customer.pk)
"""


def _get(url: str, headers: dict | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - our test server
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status, response.read()


def _count(text: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "servitium_http_request_duration_seconds_count" and all(
                sample.labels.get(k) == v for k, v in labels.items()
            ):
                return sample.value
    return 0


def test_two_workers_count_into_one_scrape(tmp_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    data = tmp_path / "data"
    metrics_dir = data / "metrics"
    metrics_dir.mkdir(parents=True)
    (metrics_dir / "histogram_1.db").write_bytes(b"left by an earlier run")  # unreadable if kept
    with _scratch_database() as database_url:
        env = {
            key: value
            for key, value in os.environ.items()
            if key
            not in {
                "SERVITIUM_TESTING",
                "REDIS_URL",
                "DATABASE_URL",
                "DJANGO_SETTINGS_MODULE",
                "PROMETHEUS_MULTIPROC_DIR",
            }
        }
        env.update(SERVITIUM_DATA_DIR=str(data), SERVITIUM_HTTPS="0", SERVITIUM_METRICS_TOKEN=TOKEN)
        if database_url:
            env["DATABASE_URL"] = database_url
        log_path = tmp_path / "run.log"
        with log_path.open("wb") as log_file:
            server = subprocess.Popen(  # noqa: S603 - our own command
                [sys.executable, "-m", "servitium.cli", "run", "--port", str(port), "--workers", "2"],
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        try:
            _check(server, base, env, metrics_dir, log_path)
        finally:
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
                raise


def _check(server: subprocess.Popen, base: str, env: dict, metrics_dir: Path, log_path: Path) -> None:
    def answers() -> bool:
        assert server.poll() is None, log_path.read_text()[-3000:]
        try:
            return _get(f"{base}/login/")[0] == 200
        except OSError:
            return False

    # Migrations and collectstatic first: over 10 minutes on a 2-core machine at load 11 (seen).
    _wait_for(answers, timeout=1500)
    assert not (metrics_dir / "histogram_1.db").exists()
    scrape = {"Authorization": f"Bearer {TOKEN}"}
    start = _count(_get(f"{base}/metrics", scrape)[1].decode(), method="GET", route="login", status="2xx")

    # Requests from several threads until both workers have answered some (each keeps its own file).
    sent, lock, stop = [0], threading.Lock(), threading.Event()

    def load() -> None:
        while not stop.is_set():
            assert _get(f"{base}/login/")[0] == 200
            with lock:
                sent[0] += 1

    def pids() -> set[str]:
        return {p.stem.rpartition("_")[2] for p in metrics_dir.glob("histogram_*.db")}

    threads = [threading.Thread(target=load) for _ in range(6)]
    for thread in threads:
        thread.start()
    try:
        _wait_for(lambda: len(pids()) >= 2 and sent[0] >= 40, timeout=120)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    text = _get(f"{base}/metrics", scrape)[1].decode()
    assert _count(text, method="GET", route="login", status="2xx") == start + sent[0]

    # The fast lane answers token calls without Django's middleware and counts them itself.
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SETUP],
        env={**env, "DJANGO_SETTINGS_MODULE": "servitium.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    token, customer = out.stdout.split()[-2:]
    for n in range(5):
        body = json.dumps({"customer": int(customer), "title": f"metrics {n}"}).encode()
        request = urllib.request.Request(  # noqa: S310
            f"{base}/api/v1/incidents/",
            data=body,
            method="POST",
            headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            assert response.status == 201
    text = _get(f"{base}/metrics", scrape)[1].decode()
    assert _count(text, method="POST", route="api:incident-list", status="2xx") == 5
    assert "Metrics Customer" not in text and "Metrics Provider" not in text
    health = json.loads(_get(f"{base}/health/")[1])
    assert health["status"] == "ok", health
