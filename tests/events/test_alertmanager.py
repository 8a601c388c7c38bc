"""The real Prometheus Alertmanager posting to a live Servitium: alerts go into Alertmanager's v2 API, its
webhook (Bearer token, send_resolved) feeds `/api/v1/events/alertmanager/`, and the incidents follow."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from servitium.events.models import Event
from servitium.incidents.models import Incident
from tests.events.conftest import build_estate

BINARY = "/usr/bin/prometheus-alertmanager"
pytestmark = [
    pytest.mark.skipif(not os.path.exists(BINARY), reason=f"{BINARY} is not installed"),
    pytest.mark.django_db(transaction=True),
]

CONFIG = """
route:
  receiver: servitium
  group_by: [cluster]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 2s
receivers:
  - name: servitium
    webhook_configs:
      - url: "{url}"
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: "{key}"
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _http(method: str, url: str, body=None) -> bytes:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 - a local test server
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - a local test server
        return response.read()


@pytest.fixture
def alertmanager(live_server):
    """Start Alertmanager with its own config, storage and ports; yield a function posting alerts."""
    estate = build_estate()
    workdir = Path(tempfile.mkdtemp(prefix="servitium-am-"))
    url = f"{live_server.url}/api/v1/events/alertmanager/"
    (workdir / "am.yml").write_text(CONFIG.format(url=url, key=estate.key))
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - a fixed binary and our own arguments
        [
            BINARY,
            f"--config.file={workdir / 'am.yml'}",
            f"--storage.path={workdir / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
            "--log.level=warn",
        ],
        stdout=subprocess.DEVNULL,
        stderr=open(workdir / "am.log", "wb"),  # noqa: SIM115 - closed with the process
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            _http("GET", f"{base}/-/ready")
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("Alertmanager did not start: " + (workdir / "am.log").read_text())
            time.sleep(0.1)

    def post(*alerts: dict, resolved: bool = False) -> None:
        now = dt.datetime.now(dt.UTC)
        body = []
        for a in alerts:
            item = {
                "labels": {"cluster": "eu-1", **a},
                "annotations": {"summary": f"{a['alertname']} on {a.get('instance', '?')}"},
                "startsAt": (now - dt.timedelta(minutes=1)).isoformat().replace("+00:00", "Z"),
                "generatorURL": "http://prometheus.example:9090/graph",
            }
            if resolved:
                item["endsAt"] = (now - dt.timedelta(seconds=1)).isoformat().replace("+00:00", "Z")
            body.append(item)
        _http("POST", f"{base}/api/v2/alerts", body)

    yield estate, post
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    shutil.rmtree(workdir, ignore_errors=True)


def wait_for(condition, timeout: float = 15.0, what: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def test_alertmanager_alerts_become_incidents(alertmanager):
    estate, post = alertmanager
    app_down = {"alertname": "AppDown", "instance": "shop-app:9100", "severity": "critical"}

    # 1. one alert: one incident on the right CI and service
    post(app_down)
    event = wait_for(
        lambda: Event.objects.filter(name="AppDown", incident__isnull=False).first(), what="AppDown"
    )
    incident = event.incident
    assert event.source == "alertmanager" and event.action == Event.Action.OPENED
    assert incident.affected_ci_id == estate.app.pk and incident.service_id == estate.shop.pk
    assert incident.channel == "monitoring" and incident.priority == 1

    # 2. firing again (Alertmanager repeats it): occurrences on the same incident, no second ticket
    post(app_down)
    wait_for(lambda: Event.objects.get(pk=event.pk).occurrences >= 2, what="a repeat")
    assert Incident.objects.count() == 1
    assert Event.objects.get(pk=event.pk).incident_id == incident.pk

    # 3. resolved in Alertmanager: the incident is resolved
    post(app_down, resolved=True)
    wait_for(lambda: Incident.objects.get(pk=incident.pk).status == "resolved", what="the resolution")
    assert Event.objects.get(pk=event.pk).status == "resolved"

    # 4. the host and the applications running on it alert: one incident, not one per service
    post(
        {"alertname": "HostDown", "instance": "web-01:9100", "severity": "critical"},
        {"alertname": "ShopErrors", "instance": "shop-app:9100", "severity": "warning"},
        {"alertname": "DbDown", "instance": "shop-db:9100", "severity": "critical"},
    )
    names = ("HostDown", "ShopErrors", "DbDown")
    wait_for(
        lambda: Event.objects.filter(name__in=names, incident__isnull=False).count() == 3,
        what="the host alerts",
    )
    events = list(Event.objects.filter(name__in=names).order_by("pk"))
    assert len({e.incident_id for e in events}) == 1, [(e.name, e.action, e.reason) for e in events]
    assert Incident.objects.count() == 2  # the resolved AppDown one and this one
