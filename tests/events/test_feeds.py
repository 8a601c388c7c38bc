"""Monitoring events feed availability and capacity: a critical alert on a service keeps an outage open
until it resolves; an alert carrying a capacity metric's value is a reading, with the thresholds' states
and a critical breach's incident following from it. Alerts set aside feed nothing; a bad value is skipped."""

from __future__ import annotations

import datetime as dt

import pytest

from servitium.availability.models import Outage
from servitium.capacity.models import CapacityMetric, Measurement
from servitium.events import services
from tests.capacity.conftest import metric
from tests.events.conftest import alert

pytestmark = pytest.mark.django_db


def take(*alerts, capture):
    with capture(execute=True):
        return services.intake(actor=None, alerts=list(alerts))


def test_a_critical_alert_keeps_an_outage_open_until_it_resolves(estate, django_capture_on_commit_callbacks):
    fired = take(
        alert("AppDown", instance="shop-app", severity="critical"), capture=django_capture_on_commit_callbacks
    )
    outage = Outage.objects.get(source="monitoring")
    assert (outage.service, outage.event_id, outage.kind) == (estate.shop, fired[0].pk, "unplanned")
    assert outage.end is None and outage.incident_id == fired[0].incident_id
    take(
        alert("AppDown", instance="shop-app", severity="critical"), capture=django_capture_on_commit_callbacks
    )
    assert Outage.objects.filter(source="monitoring").count() == 1  # a repeat is the same outage
    take(
        alert("AppDown", "resolved", instance="shop-app", severity="critical"),
        capture=django_capture_on_commit_callbacks,
    )
    outage.refresh_from_db()
    assert outage.end is not None and outage.end > outage.start


def test_warnings_and_alerts_without_a_service_open_no_outage(estate, django_capture_on_commit_callbacks):
    take(
        alert("HighLatency", instance="shop-app", severity="warning"),
        alert("HostDown", instance="nowhere-99", severity="critical"),
        capture=django_capture_on_commit_callbacks,
    )
    assert not Outage.objects.filter(source="monitoring").exists()


def test_an_alert_with_a_metric_value_is_a_reading_and_a_breach_follows(
    estate, django_capture_on_commit_callbacks
):
    disk = metric(estate.shop, name="Disk use", warning="70", critical="90")
    reading = alert("DiskFilling", instance="shop-app", severity="warning", capacity_metric="Disk use")
    reading.annotations["value"] = "93.5"
    take(reading, capture=django_capture_on_commit_callbacks)
    taken = Measurement.objects.get(metric=disk)
    assert taken.value == pytest.approx(93.5)
    disk.refresh_from_db()
    assert disk.state == CapacityMetric.State.CRITICAL and disk.breach_incident_id is not None
    # Another metric of the same name on another service is not touched; a value that is no number is
    # skipped without failing the intake.
    other = metric(estate.mail, name="Disk use")
    bad = alert("DiskFilling", instance="mail-01", severity="warning", capacity_metric="Disk use")
    bad.annotations["value"] = "lots"
    events = take(bad, capture=django_capture_on_commit_callbacks)
    assert events[0].pk and not Measurement.objects.filter(metric=other).exists()


def test_an_alert_that_fires_again_after_it_resolved_is_a_second_outage(
    estate, django_capture_on_commit_callbacks
):
    take(
        alert("AppDown", instance="shop-app", severity="critical"), capture=django_capture_on_commit_callbacks
    )
    take(
        alert("AppDown", "resolved", instance="shop-app", severity="critical"),
        capture=django_capture_on_commit_callbacks,
    )
    again = alert("AppDown", instance="shop-app", severity="critical")
    again.starts_at = again.starts_at + dt.timedelta(minutes=5)
    take(again, capture=django_capture_on_commit_callbacks)
    first, second = Outage.objects.filter(source="monitoring").order_by("start", "pk")
    assert first.end is not None and second.end is None and second.start > first.end
    assert first.event_id == second.event_id


def test_two_alerts_on_one_service_and_ticket_both_count(estate, django_capture_on_commit_callbacks):
    """A ticket holds one outage per service: a second alert grouped onto it still records its time."""
    events = take(
        alert("AppDown", instance="shop-app", severity="critical"),
        alert("AppErrors", instance="shop-app", severity="critical"),
        capture=django_capture_on_commit_callbacks,
    )
    outages = Outage.objects.filter(source="monitoring")
    assert outages.count() == 2
    assert events[0].incident_id == events[1].incident_id is not None  # grouped on one ticket
    assert sorted(o.incident_id is None for o in outages) == [False, True]
