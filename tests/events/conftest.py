"""Builders of the event tests: a small estate (a host, two applications running on it, each a catalogue
service's, an unrelated mail server), a monitoring user with an API token, and alert payloads."""

from __future__ import annotations

import datetime as dt
import importlib
from types import SimpleNamespace

import pytest
from django.utils import timezone

from servitium.core import services as core_services
from servitium.events.payloads import Alert
from tests import factories
from tests.cmdb.conftest import ci, ci_type, relate


def default_rules() -> None:
    """The rules the migration makes (a transactional test's flush removes them for the tests after it)."""
    from django.apps import apps

    importlib.import_module("servitium.events.migrations.0002_default_rules").add(apps, None)


def build_estate(prefix: str = "") -> SimpleNamespace:
    """Names are plain (web-01, Shop) unless a prefix is given."""
    default_rules()
    internal = factories.organization(f"{prefix}Operations", "internal")
    customer = factories.organization(f"{prefix}Alder Retail", "customer")
    shop = factories.service(f"{prefix}Shop", customers=[customer])
    shop_db = factories.service(f"{prefix}Shop DB", customers=[customer])
    mail = factories.service(f"{prefix}Mail", customers=[customer])
    kind = ci_type(f"{prefix}event server", {})
    host = ci(f"{prefix}web-01", kind, status="in_use")
    app = ci(f"{prefix}shop-app", kind, status="in_use", service=shop)
    db = ci(f"{prefix}shop-db", kind, status="in_use", service=shop_db)
    mail_host = ci(f"{prefix}mail-01", kind, status="in_use", service=mail)
    relate(app, "runs_on", host)
    relate(db, "runs_on", host)
    monitor = factories.user(f"{prefix}monitor".replace(" ", "_"), internal, ["events-agent"])
    token, key = core_services.api_token_create(user=monitor, name="alertmanager")
    return SimpleNamespace(
        internal=internal,
        customer=customer,
        shop=shop,
        shop_db=shop_db,
        mail=mail,
        host=host,
        app=app,
        db=db,
        mail_host=mail_host,
        monitor=monitor,
        key=key,
    )


@pytest.fixture
def estate(db):
    return build_estate()


def alert(
    name: str, status: str = "firing", *, source: str = "alertmanager", fingerprint=None, **labels
) -> Alert:
    labels = {"alertname": name, **labels}
    return Alert(
        source=source,
        fingerprint=fingerprint or f"fp-{name}-{labels.get('instance', '')}",
        status=status,
        labels=labels,
        annotations={"summary": f"{name} is firing"},
        severity=labels.get("severity", ""),
        starts_at=timezone.now() - dt.timedelta(minutes=1),
        ends_at=timezone.now() if status == "resolved" else None,
    )


def webhook(*alerts: dict, status: str = "firing") -> dict:
    """Alertmanager's webhook body (version 4) around alert objects."""
    return {
        "receiver": "servitium",
        "status": status,
        "alerts": list(alerts),
        "groupLabels": {"alertname": alerts[0]["labels"].get("alertname", "")},
        "commonLabels": {},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager.example:9093",
        "version": "4",
        "groupKey": '{}:{alertname="x"}',
        "truncatedAlerts": 0,
    }


def am_alert(name: str, status: str = "firing", **labels) -> dict:
    return {
        "status": status,
        "labels": {"alertname": name, **labels},
        "annotations": {"summary": f"{name} on {labels.get('instance', '?')}"},
        "startsAt": "2026-12-04T10:00:00.000Z",
        "endsAt": "2026-12-04T10:05:00.000Z" if status == "resolved" else "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus.example:9090/graph?g0.expr=up",
        "fingerprint": f"am-{name}-{labels.get('instance', '')}",
    }
