"""Events into incidents through the services: dedup by fingerprint, correlation by CI, service and CMDB
relationships, flapping, suppression in a change's window, resolution, the rules' settings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from servitium.changes.models import Change
from servitium.core.models import Comment
from servitium.events import services
from servitium.events.models import Event, EventRule
from servitium.incidents.models import Incident
from tests.changes.conftest import change
from tests.events.conftest import alert

pytestmark = pytest.mark.django_db


def one(a, now=None) -> Event:
    return services.intake(actor=None, alerts=[a], now=now)[0]


def notes(incident) -> list[str]:
    return list(Comment.objects.filter(object_id=incident.pk).order_by("pk").values_list("body", flat=True))


def test_a_critical_alert_opens_an_incident_on_its_ci_and_service(estate):
    event = one(alert("AppDown", instance="shop-app:9100", severity="critical"))
    assert event.action == Event.Action.OPENED
    incident = event.incident
    assert incident.affected_ci == estate.app and incident.service == estate.shop
    assert incident.channel == "monitoring" and incident.customer == estate.customer
    assert (incident.impact, incident.urgency, incident.priority) == (1, 1, 1)
    assert "AppDown" in incident.title and "shop-app" in incident.title


def test_the_same_alert_firing_again_adds_to_the_same_incident(estate):
    first = one(alert("AppDown", instance="shop-app", severity="critical"))
    again = one(alert("AppDown", instance="shop-app", severity="critical"))
    assert again.pk == first.pk and again.occurrences == 2
    assert again.incident_id == first.incident_id and again.action == Event.Action.ADDED
    assert Incident.objects.count() == 1
    assert any("fired again (occurrence 2)" in n for n in notes(first.incident))


def test_resolution_resolves_the_incident(estate):
    first = one(alert("AppDown", instance="shop-app", severity="critical"))
    done = one(alert("AppDown", "resolved", instance="shop-app", severity="critical"))
    assert done.action == Event.Action.RESOLVED and done.status == "resolved"
    incident = Incident.objects.get(pk=first.incident_id)
    assert incident.status == "resolved" and incident.resolution_code == "monitoring_cleared"


def test_resolution_only_noted_when_the_rule_says_so(estate):
    EventRule.objects.filter(source="alertmanager").update(on_resolved="note")
    first = one(alert("AppDown", instance="shop-app", severity="critical"))
    done = one(alert("AppDown", "resolved", instance="shop-app", severity="critical"))
    assert done.action == Event.Action.NOTED
    assert Incident.objects.get(pk=first.incident_id).status == "new"
    assert any("resolved" in n for n in notes(first.incident))


def test_host_and_its_dependents_make_one_incident_whichever_alerts_first(estate):
    dependent = one(alert("ShopSlow", instance="shop-app", severity="warning"))
    host = one(alert("HostDown", instance="web-01", severity="critical"))
    other = one(alert("DbDown", instance="shop-db", severity="critical"))
    assert host.incident_id == dependent.incident_id == other.incident_id
    assert host.action == other.action == Event.Action.ADDED
    assert "related in the CMDB" in host.reason
    assert Incident.objects.count() == 1


def test_an_alert_naming_only_the_service_joins_through_the_services_cis(estate):
    host = one(alert("HostDown", instance="web-01", severity="critical"))
    by_service = one(alert("CheckoutErrors", fingerprint="fp-co", service="Shop", severity="warning"))
    assert by_service.service == estate.shop and by_service.ci is None
    assert by_service.incident_id == host.incident_id


def test_unrelated_alerts_open_their_own_incidents(estate):
    a = one(alert("AppDown", instance="shop-app", severity="critical"))
    b = one(alert("MailQueue", instance="mail-01", severity="warning"))
    assert a.incident_id != b.incident_id and Incident.objects.count() == 2


def test_correlation_window_ends(estate):
    now = timezone.now()
    a = one(alert("AppDown", instance="shop-app", severity="critical"), now=now - dt.timedelta(hours=2))
    b = one(alert("DbDown", instance="shop-db", severity="critical"), now=now)
    assert a.incident_id != b.incident_id


def test_info_is_noted_without_an_incident(estate):
    event = one(alert("DiskSoon", instance="shop-app", severity="info"))
    assert event.action == Event.Action.NOTED and event.incident is None
    assert Incident.objects.count() == 0


def test_unknown_ci_is_named_on_the_incident(estate):
    event = one(alert("Unknown", instance="nowhere-9", severity="critical"))
    assert event.ci is None and event.incident.affected_ci_name == "nowhere-9"
    assert event.incident.customer == estate.internal


def test_flapping_alert_opens_and_resolves_no_more_tickets(estate):
    EventRule.objects.filter(source="alertmanager").update(flap_changes=2, flap_minutes=60)
    now = timezone.now()
    states = ["firing", "resolved", "firing", "resolved", "firing", "resolved", "firing"]
    events = [
        one(alert("Flappy", s, instance="mail-01", severity="critical"), now=now + dt.timedelta(seconds=i))
        for i, s in enumerate(states)
    ]
    last = events[-1]
    assert last.flapping
    # opened, resolved, then re-opened once; from the third change on it flaps and opens/resolves nothing
    assert Incident.objects.count() == 2
    assert last.action == Event.Action.ADDED or last.action == Event.Action.SUPPRESSED
    assert events[3].action == Event.Action.NOTED and "Flapping" in events[3].reason
    assert Incident.objects.filter(status="new").count() == 1


def test_suppressed_in_an_approved_changes_window(estate):
    record = change("Patch web-01", cis=[estate.host], start=timezone.now() - dt.timedelta(minutes=30))
    Change.objects.filter(pk=record.pk).update(status="approved")  # the approval flow has its own tests
    on_app = one(alert("AppDown", instance="shop-app", severity="critical"))  # runs on the changed host
    assert on_app.action == Event.Action.SUPPRESSED and on_app.change_id == record.pk
    assert record.reference in on_app.reason
    elsewhere = one(alert("MailQueue", instance="mail-01", severity="critical"))
    assert elsewhere.action == Event.Action.OPENED
    assert Incident.objects.count() == 1


def test_a_change_not_approved_or_out_of_window_suppresses_nothing(estate):
    change("Draft patch", cis=[estate.app], start=timezone.now() - dt.timedelta(minutes=30))
    later = change("Later", cis=[estate.app])
    Change.objects.filter(pk=later.pk).update(status="approved")
    assert one(alert("AppDown", instance="shop-app", severity="critical")).action == Event.Action.OPENED


def test_a_batch_is_all_or_nothing(estate, monkeypatch):
    from servitium.events import correlation

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(correlation, "related_incident", broken)
    with pytest.raises(RuntimeError):
        services.intake(
            actor=None,
            alerts=[alert("Info", instance="x", severity="info"), alert("AppDown", instance="shop-app")],
        )
    assert Event.objects.count() == 0


def test_rule_order_and_source(estate):
    EventRule.objects.create(
        name="Custom",
        source="nagios",
        order=1,
        ci_labels=["hostname"],
        service_labels=[],
        severities={"major": {"impact": 2, "urgency": 3}},
        default_severity="major",
    )
    event = one(alert("Load", source="nagios", hostname="shop-db", severity="major"))
    assert event.rule.name == "Custom" and event.ci == estate.db
    assert (event.incident.impact, event.incident.urgency) == (2, 3)


def test_applications_of_one_host_join_one_incident_before_the_host_alerts(estate):
    app = one(alert("ShopErrors", instance="shop-app", severity="warning"))
    db = one(alert("DbDown", instance="shop-db", severity="critical"))
    host = one(alert("HostDown", instance="web-01", severity="critical"))
    assert app.incident_id == db.incident_id == host.incident_id
    assert Incident.objects.count() == 1
