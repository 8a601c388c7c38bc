"""Demo data of event management: Alertmanager's alerts of the last days through the real intake: a mail
store host failing with the mail application on it alerting too (one incident, resolved when the alerts
cleared), an alert repeated while it fired, a flapping one, an informational one; and a legacy syslog source
whose rule maps no severity to incidents.

Deliberate gap for the checks: that source's critical alert ("RAID degraded") led to no incident.

Idempotent: nothing is added once any event exists.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from servitium.cmdb.models import ConfigurationItem

from . import services
from .models import Event, EventRule
from .payloads import Alert


def _alert(
    name: str, status: str, instance: str, severity: str, summary: str, *, source="alertmanager"
) -> Alert:
    labels = {"alertname": name, "instance": f"{instance}:9100", "severity": severity, "job": "node"}
    return Alert(
        source=source,
        fingerprint=f"demo-{name}-{instance}".lower(),
        status=status,
        labels=labels,
        annotations={"summary": summary},
        severity=severity,
        generator_url="http://prometheus.example.net:9090/graph?g0.expr=up",
    )


def load(*, actor: Any) -> None:
    if Event.objects.exists() or not ConfigurationItem.objects.filter(name="mail-store-01").exists():
        return
    now = timezone.now().replace(second=0, microsecond=0)
    day = now - dt.timedelta(days=2)

    def at(minutes: int) -> dt.datetime:
        return day + dt.timedelta(minutes=minutes)

    host = _alert("HostDown", "firing", "mail-store-01", "critical", "mail-store-01 does not answer")
    app = _alert("DovecotDown", "firing", "Dovecot mail store", "critical", "IMAP logins fail")
    services.intake(actor=actor, alerts=[host], now=at(0))
    services.intake(actor=actor, alerts=[app], now=at(1))  # runs on the host: joins its incident
    services.intake(actor=actor, alerts=[host], now=at(5))  # repeated while it fired
    services.intake(actor=actor, alerts=[host], now=at(10))
    host.status = app.status = "resolved"
    services.intake(actor=actor, alerts=[app, host], now=at(42))  # both cleared: the incident is resolved

    flappy = _alert("LinkFlap", "firing", "fra-fw-02", "warning", "Uplink port 7 goes up and down")
    for i in range(8):
        flappy.status = "firing" if i % 2 == 0 else "resolved"
        services.intake(actor=actor, alerts=[flappy], now=at(120 + 3 * i))
    services.intake(
        actor=actor,
        alerts=[_alert("DiskFillingSlowly", "firing", "mx-relay-01", "info", "Disk 70 % full")],
        now=at(200),
    )
    EventRule.objects.get_or_create(
        name="Legacy syslog",
        defaults={
            "source": "syslog",
            "order": 50,
            "ci_labels": ["instance"],
            "service_labels": [],
            "severities": {"info": None},  # the gap: nobody mapped its severities to incidents
            "default_severity": "info",
        },
    )
    services.intake(
        actor=actor,
        alerts=[
            _alert("RAID degraded", "firing", "Backup server", "critical", "Disk 3 failed", source="syslog")
        ],
        now=now - dt.timedelta(hours=3),
    )
