"""The declared input rules of tickets hold on every channel: API, fast lane, web form, services.

The case that started it: a customer could raise a priority-1 ticket through the API by classifying it as
a high-risk security incident, a field the web form never offered them.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from servitium.core.models import ChangeRecord
from servitium.incidents import services
from servitium.incidents.models import Incident
from tests import factories
from tests.base import WsgiClient, client, sent_to_portal

PROVIDER_ONLY = {
    "is_security": True,
    "security_category": "malware",
    "security_risk": 1,
    "assignee": None,
    "resolution_notes": "done",
    "caller": None,
}


@pytest.fixture
def customer_ticket(ctx, sla):
    return {"title": "Mail is slow", "service": sla.service_id, "impact": 3, "urgency": 3}


@pytest.mark.parametrize("channel", ["test client", "WSGI with the lane"])
@pytest.mark.parametrize("field", ["is_security", "security_category", "security_risk", "resolution_notes"])
def test_a_customer_cannot_classify_or_resolve_a_ticket_through_the_api(ctx, customer_ticket, field, channel):
    api = client(ctx.customer_a) if channel == "test client" else WsgiClient(ctx.customer_a)
    before = (Incident.objects.count(), ChangeRecord.objects.count())
    response = api.post("/api/v1/incidents/", {**customer_ticket, field: PROVIDER_ONLY[field]}, format="json")
    assert response.status_code == 400
    assert response.json() == {field: ["You may not set this field."]}
    assert (Incident.objects.count(), ChangeRecord.objects.count()) == before


def test_the_customers_own_fields_still_raise_a_ticket(ctx, customer_ticket):
    response = WsgiClient(ctx.customer_a).post("/api/v1/incidents/", customer_ticket)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["customer"], body["priority"], body["is_security"]) == (ctx.org_a.pk, 5, False)


def test_staff_may_classify_and_the_priority_follows(ctx, customer_ticket):
    agent = factories.user("agent_ir", ctx.provider, ["incident-agent"])
    payload = {**customer_ticket, "customer": ctx.org_a.pk, "is_security": True, "security_risk": 1}
    payload["security_category"] = "malware"
    response = client(agent).post("/api/v1/incidents/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["priority"] == 1


def test_customers_raise_tickets_in_the_portal_whose_form_holds_none_of_them(ctx, customer_ticket):
    """The staff form sends customers to the portal; the portal's form asks what is wrong, with which
    service and how badly, and a provider-side field posted to it is not taken."""
    page = Client()
    page.force_login(ctx.customer_a)
    assert sent_to_portal(page.get("/incidents/new/"))
    form = page.get("/portal/report/").context["form"]
    assert list(form.fields) == ["service", "title", "details", "effect"]
    service = factories.service("Portal svc", customers=[ctx.org_a])
    answer = page.post(
        "/portal/report/", {"service": service.pk, "title": "Slow", "effect": "minor", "is_security": "on"}
    )
    assert answer.status_code == 302
    assert Incident.objects.get(title="Slow").is_security is False


def test_the_services_refuse_them_whatever_calls_them(ctx):
    with pytest.raises(ValidationError) as refused:
        services.incident_create(actor=ctx.customer_a, data={"title": "x", "security_risk": 1})
    assert refused.value.message_dict == {"security_risk": ["You may not set this field."]}


def test_status_and_the_request_item_are_not_changed_by_an_update(ctx):
    incident = services.incident_create(actor=None, data={"customer": ctx.org_a, "title": "Printer"})
    agent = client(factories.user("agent_ir2", ctx.provider, ["incident-agent"]))
    answer = agent.patch(f"/api/v1/incidents/{incident.pk}/", {"status": "closed"}, format="json")
    assert answer.status_code == 400 and list(answer.json()) == ["status"]
    # the unchanged value is not a write: a client may send back what it read
    same = agent.patch(f"/api/v1/incidents/{incident.pk}/", {"status": "new", "title": "Printer jam"})
    assert same.status_code == 200 and same.json()["title"] == "Printer jam"


def test_a_customer_raises_a_ticket_in_the_portal_without_choosing_its_organization(ctx, sla):
    page = Client()
    page.force_login(ctx.customer_a)
    form = page.get("/portal/report/")
    assert "customer" not in form.context["form"].fields
    answer = page.post(
        "/portal/report/", {"title": "Slow mail", "service": sla.service_id, "effect": "minor"}
    )
    assert answer.status_code == 302
    assert Incident.objects.get(title="Slow mail").customer == ctx.org_a
    theirs = factories.service("Their mail", customers=[ctx.org_b])
    other = page.post("/portal/report/", {"title": "Theirs", "service": theirs.pk, "effect": "minor"})
    assert other.status_code == 400 and not Incident.objects.filter(title="Theirs").exists()
