"""Intake of whole batches: a constant number of statements per batch however many alerts it holds, notes
of a repeating alert limited, and concurrent batches with the same new alerts (one event each, one
incident)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from servitium.core.models import Comment
from servitium.events import services
from servitium.events.models import Event
from servitium.incidents.models import Incident
from tests.events.conftest import alert, build_estate


def _mix(n: int, tag: str) -> list:
    """Informational alerts as monitoring sends most: new ones, one unknown host each."""
    return [alert("Disk", instance=f"vm-{tag}-{i}:9100", severity="info") for i in range(n)]


def _queries(alerts: list) -> int:
    with CaptureQueriesContext(connection) as ctx:
        services.intake(actor=None, alerts=alerts)
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_a_batch_costs_the_same_statements_for_5_or_50_alerts(estate):
    small, large = _queries(_mix(5, "a")), _queries(_mix(50, "b"))
    assert small == large
    # repeats of known alerts (with new ones among them) cost no more
    assert _queries(_mix(5, "a") + _mix(3, "c")) == small
    assert _queries(_mix(50, "b") + _mix(30, "d")) == small
    assert Event.objects.filter(action=Event.Action.NOTED).count() == 88
    assert Event.objects.get(fingerprint="fp-Disk-vm-b-7:9100").occurrences == 2


@pytest.mark.django_db
def test_a_repeating_alert_notes_its_incident_at_most_once_an_hour(estate):
    now = timezone.now()
    fire = alert("AppDown", instance="shop-app", severity="critical")
    first = services.intake(actor=None, alerts=[fire], now=now)[0]
    for minutes in (1, 2, 3, 61, 62):
        services.intake(actor=None, alerts=[fire], now=now + dt.timedelta(minutes=minutes))
    notes = Comment.objects.filter(object_id=first.incident_id, body__contains="fired again")
    assert [n.split("(")[-1] for n in notes.order_by("pk").values_list("body", flat=True)] == [
        "occurrence 2).",
        "occurrence 5).",
    ]
    event = Event.objects.get(pk=first.pk)
    assert event.occurrences == 6 and event.action == Event.Action.ADDED


@pytest.mark.django_db
def test_repeats_within_one_batch_and_a_resolution_after_them(estate):
    fire = alert("AppDown", instance="shop-app", severity="critical")
    info = alert("Disk", instance="shop-app", severity="info")
    done = alert("AppDown", "resolved", instance="shop-app", severity="critical")
    events = services.intake(actor=None, alerts=[fire, info, fire, info, done])
    assert len(events) == 5 and events[0].pk == events[2].pk == events[4].pk
    stored = Event.objects.get(fingerprint=fire.fingerprint)
    assert stored.occurrences == 2 and stored.status == "resolved" and stored.action == "resolved"
    assert [h["action"] for h in stored.history] == ["opened", "added", "resolved"]
    assert Incident.objects.get().status == "resolved"
    assert Event.objects.get(fingerprint=info.fingerprint).occurrences == 2


@pytest.mark.django_db(transaction=True)
def test_parallel_batches_with_the_same_new_alerts_store_each_once():
    if connection.vendor != "postgresql":
        pytest.skip("parallel writers need PostgreSQL (SQLite serialises writers by design)")
    build_estate()
    batch = _mix(20, "p") + [
        alert("AppDown", instance="shop-app", severity="critical"),
        alert("DbDown", instance="shop-db", severity="critical"),
    ]
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def worker(order: int) -> None:
        try:
            barrier.wait()
            services.intake(actor=None, alerts=batch[order:] + batch[:order])
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n * 5,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Event.objects.count() == 22
    assert set(Event.objects.values_list("occurrences", flat=True)) == {4}
    assert len(set(Event.objects.values_list("reference", flat=True))) == 22
    assert Incident.objects.count() == 1  # the app and the database run on one host: one incident
