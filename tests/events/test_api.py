"""The events API: intake with an API token (Bearer, as Alertmanager sends it), Alertmanager's webhook
payload, the generic format (one or a list), bad input named, who may post and read; the rules' suite."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from servitium.events.models import Event, EventRule
from servitium.incidents.models import Incident
from tests import factories
from tests.base import RecordAPISuite, client
from tests.events.conftest import am_alert, webhook

pytestmark = pytest.mark.django_db


def bearer(key: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return api


def test_alertmanager_webhook_with_a_bearer_token(estate):
    body = webhook(
        am_alert("HostDown", instance="web-01:9100", severity="critical"),
        am_alert("DbDown", instance="shop-db:9100", severity="critical"),
    )
    response = bearer(estate.key).post("/api/v1/events/alertmanager/", body, format="json")
    assert response.status_code == 201, response.content
    outcome = response.json()
    assert outcome["received"] == 2
    assert [e["action"] for e in outcome["events"]] == ["opened", "added"]
    assert outcome["events"][0]["incident"] == outcome["events"][1]["incident"]
    assert Incident.objects.get().affected_ci == estate.host
    resolved = webhook(
        am_alert("HostDown", "resolved", instance="web-01:9100", severity="critical"),
        am_alert("DbDown", "resolved", instance="shop-db:9100", severity="critical"),
        status="resolved",
    )
    done = bearer(estate.key).post("/api/v1/events/alertmanager/", resolved, format="json").json()
    assert [e["action"] for e in done["events"]] == ["noted", "resolved"]
    assert Incident.objects.get().status == "resolved"


def test_generic_events_one_or_a_list(estate):
    one = {"source": "zabbix", "labels": {"alertname": "Ping", "host": "mail-01"}, "severity": "warning"}
    first = bearer(estate.key).post("/api/v1/events/", one, format="json")
    assert first.status_code == 201 and first.json()["events"][0]["action"] == "opened"
    many = [one, {"labels": {"alertname": "Note", "host": "mail-01"}, "severity": "info"}]
    second = bearer(estate.key).post("/api/v1/events/", many, format="json").json()
    assert [e["action"] for e in second["events"]] == ["added", "noted"]
    assert second["events"][0]["occurrences"] == 2
    assert Event.objects.get(source="zabbix").service == estate.mail


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"alerts": []}, "alerts"),
        ({"version": "3", "alerts": [am_alert("X")]}, "version"),
        ({"alerts": [{"status": "firing"}]}, "alerts[0].labels"),
        ({"alerts": [{**am_alert("X"), "status": "burning"}]}, "alerts[0].status"),
        ({"alerts": [{**am_alert("X"), "startsAt": "yesterday"}]}, "alerts[0].startsAt"),
        ({"alerts": [{**am_alert("X"), "labels": {"a": 1}}]}, "alerts[0].labels.a"),
        ([1, 2], "body"),
    ],
)
def test_bad_alertmanager_payloads_are_named_and_write_nothing(estate, body, field):
    response = bearer(estate.key).post("/api/v1/events/alertmanager/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.content.decode()
    assert Event.objects.count() == 0


def test_bad_generic_event_in_a_list_writes_nothing(estate):
    good = {"labels": {"alertname": "Ping", "host": "mail-01"}, "severity": "critical"}
    response = bearer(estate.key).post("/api/v1/events/", [good, {"labels": "x"}], format="json")
    assert response.status_code == 400 and "[1].labels" in response.content.decode()
    assert Event.objects.count() == 0 and Incident.objects.count() == 0


def test_who_may_post_and_read(estate, ctx):
    body = webhook(am_alert("HostDown", instance="web-01", severity="critical"))
    assert APIClient().post("/api/v1/events/alertmanager/", body, format="json").status_code == 401
    assert bearer("not-a-key").post("/api/v1/events/alertmanager/", body, format="json").status_code == 401
    reader = factories.user("cm_reader", ctx.provider, ["configuration-manager"])
    assert client(reader).post("/api/v1/events/alertmanager/", body, format="json").status_code == 403
    assert client(ctx.customer_a).get("/api/v1/events/").status_code in (403, 200)
    bearer(estate.key).post("/api/v1/events/alertmanager/", body, format="json")
    assert client(ctx.customer_a).get("/api/v1/events/").json().get("count", 0) == 0
    incident_agent = factories.user("inc_reader", ctx.provider, ["incident-agent"])
    listed = client(incident_agent).get("/api/v1/events/?status=firing&severity=critical&source=alertmanager")
    assert listed.status_code == 200 and listed.json()["count"] == 1
    detail = client(incident_agent).get(f"/api/v1/events/{Event.objects.get().pk}/").json()
    assert detail["action"] == "opened" and detail["ci"] == estate.host.pk


def test_event_pages(estate, ctx):
    bearer(estate.key).post(
        "/api/v1/events/alertmanager/", webhook(am_alert("HostDown", instance="web-01")), format="json"
    )
    from django.test import Client

    web = Client()
    web.force_login(ctx.admin)
    listed = web.get("/events/?status=firing")
    assert listed.status_code == 200 and b"HostDown" in listed.content
    page = web.get(f"/events/{Event.objects.get().pk}/")
    assert page.status_code == 200 and b"event-history" in page.content
    assert web.get("/events/rules/").status_code == 200
    assert web.get("/events/rules/new/").status_code == 200


class TestEventRuleAPI(RecordAPISuite):
    endpoint = "event-rules"
    model = EventRule
    writer_roles = ["events-manager"]
    foreign_roles = ["incident-agent", "configuration-manager"]
    customer_visible = False

    def make(self, ctx):
        return EventRule.objects.create(name=factories.unique("Rule"), severities={"critical": None})

    def create_payload(self, ctx):
        return {
            "name": factories.unique("Nagios"),
            "source": "nagios",
            "ci_labels": ["hostname"],
            "service_labels": ["service"],
            "severities": {"CRITICAL": {"impact": 1, "urgency": 1}, "OK": None},
            "default_severity": "CRITICAL",
            "on_resolved": "note",
        }

    def invalid_payload(self, ctx):
        return {"name": "Bad", "severities": {"critical": {"impact": 9}}}

    def update_payload(self, ctx):
        return {"correlation_minutes": 45, "flap_changes": 6}
