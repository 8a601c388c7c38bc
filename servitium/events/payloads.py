"""What monitoring tools send, read into `Alert`s: Alertmanager's webhook (payload version 4) and the
generic event format of `POST /api/v1/events/`. Bad input is refused naming the field (a ValidationError
keyed by its path), before anything is written."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

MAX_ALERTS = 1000  # per request; Alertmanager's max_alerts is usually far lower
MAX_LABELS = 64
MAX_TEXT = 4000
STATUSES = ("firing", "resolved")
# Alertmanager's "no end" and "not set" times
ZERO_TIME = dt.datetime(1, 1, 1, tzinfo=dt.UTC)


@dataclass
class Alert:
    source: str
    fingerprint: str
    status: str
    labels: dict[str, str]
    annotations: dict[str, str] = field(default_factory=dict)
    severity: str = ""
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    generator_url: str = ""

    @property
    def name(self) -> str:
        return self.labels.get("alertname", "")[:200]


def _fail(path: str, message: str):
    raise ValidationError({path: [message]})


def _strings(value: Any, path: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        _fail(path, _("Expected an object of names to strings."))
    if len(value) > MAX_LABELS:
        _fail(path, _("At most %(n)d entries.") % {"n": MAX_LABELS})
    out = {}
    for key, item in value.items():
        if not isinstance(item, str) or len(key) > 200 or len(item) > MAX_TEXT or "\x00" in key + item:
            _fail(
                f"{path}.{key}"[:200], _("Expected a string of at most %(n)d characters.") % {"n": MAX_TEXT}
            )
        out[key] = item
    return out


def _time(value: Any, path: str) -> dt.datetime | None:
    if value in (None, ""):
        return None
    parsed = parse_datetime(value) if isinstance(value, str) and len(value) <= 64 else None
    if parsed is None:
        _fail(path, _("Expected an ISO 8601 date and time."))
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, dt.UTC)
    if parsed <= ZERO_TIME + dt.timedelta(days=1) or parsed.year > 9000:
        return None  # Alertmanager's zero time: not set
    return parsed


def _text(value: Any, path: str, limit: int) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or len(value) > limit or "\x00" in value:
        _fail(path, _("Expected a string of at most %(n)d characters.") % {"n": limit})
    return value


def fingerprint_of(labels: dict[str, str]) -> str:
    """A stable identity for an alert that brings none: its labels, as Alertmanager identifies alerts."""
    return hashlib.sha256(json.dumps(labels, sort_keys=True).encode()).hexdigest()[:32]


def _alert(item: Any, path: str, source: str, default_status: str) -> Alert:
    if not isinstance(item, dict):
        _fail(path, _("Expected an object."))
    labels = _strings(item.get("labels"), f"{path}.labels")
    if not labels:
        _fail(f"{path}.labels", _("An alert needs at least one label."))
    status = item.get("status") or default_status
    if status not in STATUSES:
        _fail(f"{path}.status", _("Expected firing or resolved."))
    annotations = _strings(item.get("annotations"), f"{path}.annotations")
    fingerprint = _text(item.get("fingerprint"), f"{path}.fingerprint", 128) or fingerprint_of(labels)
    severity = _text(item.get("severity"), f"{path}.severity", 20) or labels.get("severity", "")[:20]
    url = _text(item.get("generatorURL", item.get("generator_url")), f"{path}.generatorURL", 1000)
    return Alert(
        source=source,
        fingerprint=fingerprint,
        status=status,
        labels=labels,
        annotations=annotations,
        severity=severity.lower(),
        starts_at=_time(item.get("startsAt", item.get("starts_at")), f"{path}.startsAt"),
        ends_at=_time(item.get("endsAt", item.get("ends_at")), f"{path}.endsAt"),
        generator_url=url if url.startswith(("http://", "https://")) else "",
    )


def from_alertmanager(payload: Any, source: str = "alertmanager") -> list[Alert]:
    """Alertmanager's webhook body: {version: "4", status, receiver, alerts: [...], groupLabels, ...}."""
    if not isinstance(payload, dict):
        _fail("body", _("Expected Alertmanager's webhook object."))
    version = payload.get("version")
    if version is not None and str(version) != "4":
        _fail("version", _("Only version 4 of the webhook payload is understood."))
    alerts = payload.get("alerts")
    if not isinstance(alerts, list) or not alerts:
        _fail("alerts", _("Expected a non-empty list of alerts."))
    if len(alerts) > MAX_ALERTS:
        _fail("alerts", _("At most %(n)d alerts per request.") % {"n": MAX_ALERTS})
    group_status = payload.get("status") if payload.get("status") in STATUSES else "firing"
    return [_alert(item, f"alerts[{i}]", source, group_status) for i, item in enumerate(alerts)]


def from_events(payload: Any) -> list[Alert]:
    """The generic format: one event object or a list of them; each {source, labels, status, ...}."""
    items = payload if isinstance(payload, list) else [payload]
    if not items:
        _fail("body", _("Expected an event or a non-empty list of events."))
    if len(items) > MAX_ALERTS:
        _fail("body", _("At most %(n)d events per request.") % {"n": MAX_ALERTS})
    alerts = []
    for i, item in enumerate(items):
        path = f"[{i}]" if isinstance(payload, list) else "body"
        source = _text(item.get("source") if isinstance(item, dict) else None, f"{path}.source", 60) or "api"
        alerts.append(_alert(item, path, source, "firing"))
    return alerts
