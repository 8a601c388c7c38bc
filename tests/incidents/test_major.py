"""Major incidents (declaration, top-management notice, communications log, review before closure),
escalation (functional, hierarchical, automatic on SLA thresholds), security incidents (risk-based priority,
analysis), and service requests from request items with approval and their own targets."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from servitium.core.models import ChangeRecord
from servitium.improvement.models import ImprovementOpportunity
from servitium.incidents import services
from servitium.incidents.jobs import sla_clock_check
from servitium.incidents.models import (
    Incident,
    MajorIncidentDefinition,
    MajorIncidentUpdate,
    RequestItem,
    SlaClock,
)
from servitium.parties.models import Team
from tests import factories
from tests.base import RecordAPISuite, client, sent_to_portal
from tests.incidents.conftest import H, berlin


@pytest.fixture
def staff(ctx):
    boss = factories.user("ceo", ctx.provider, ["top-management"])
    boss.email = "ceo@provider.example"
    boss.save()
    manager_user = factories.user("mim", ctx.provider, ["incident-manager"])
    manager = factories.person("Mia Manager", ctx.provider, email="mia@provider.example", user=manager_user)
    lead = factories.person("Lee Lead", ctx.provider, email="lee@provider.example")
    desk = Team.objects.create(
        name="Desk", organization=ctx.provider, lead=lead, email="desk@provider.example"
    )
    network = Team.objects.create(name="Network", organization=ctx.provider, email="net@provider.example")
    desk.members.add(lead)
    return type(
        "Staff",
        (),
        {
            "boss": boss,
            "manager": manager,
            "manager_user": manager_user,
            "lead": lead,
            "desk": desk,
            "network": network,
        },
    )


def ticket(ctx, **extra) -> Incident:
    return services.incident_create(
        actor=None,
        data={"customer": ctx.org_a, "title": "Core switch down", "impact": 1, "urgency": 1, **extra},
    )


def test_major_incident_needs_manager_tells_top_management_and_closes_only_after_review(
    ctx, staff, django_capture_on_commit_callbacks
):
    incident = ticket(ctx, assignment_group=staff.desk)
    api = client(staff.manager_user)
    url = f"/api/v1/incidents/{incident.pk}/"
    assert api.post(url + "declare-major/", {}, format="json").status_code == 400  # no manager named
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post(url + "declare-major/", {"major_manager": staff.manager.pk}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["is_major"] is True and r.json()["major_manager"] == staff.manager.pk
    assert any("ceo@provider.example" in m.to for m in mail.outbox), "top management was not told"
    log = MajorIncidentUpdate.objects.get(incident=incident)
    assert log.audience == "top_management" and "ceo@provider.example" in log.sent_to

    r = api.post(
        "/api/v1/major-incident-updates/",
        {"incident": incident.pk, "audience": "customer", "body": "Engineers on site; next update 14:00."},
        format="json",
    )
    assert r.status_code == 201
    resolve = {"transition": "resolve", "resolution_code": "fixed", "resolution_notes": "Switch replaced"}
    assert api.post(url + "transitions/", resolve, format="json").status_code == 200
    blocked = api.post(url + "transitions/", {"transition": "close"}, format="json")
    assert blocked.status_code == 409 and "review" in blocked.json()["detail"]
    review = {
        "incident": incident.pk,
        "held_on": "2026-03-05",
        "summary": "Power supply of the core switch failed.",
        "to_improve": "Keep a spare power supply on site.",
    }
    assert api.post("/api/v1/post-incident-reviews/", review, format="json").status_code == 201
    assert api.post("/api/v1/post-incident-reviews/", review, format="json").status_code == 400  # one only
    assert api.post(url + "transitions/", {"transition": "close"}, format="json").status_code == 200
    # What to improve went to the improvement register, once, naming the incident.
    raised = ImprovementOpportunity.objects.get(source_kind="incident")
    assert incident.reference in raised.description and "spare power supply" in raised.description


def test_review_only_for_major_incidents_and_customer_sees_customer_updates_only(ctx, staff):
    incident = ticket(ctx)
    api = client(staff.manager_user)
    r = api.post(
        "/api/v1/post-incident-reviews/",
        {"incident": incident.pk, "held_on": "2026-03-05", "summary": "x", "to_improve": "y"},
        format="json",
    )
    assert r.status_code == 400 and "major" in str(r.json())
    api.post(
        f"/api/v1/incidents/{incident.pk}/declare-major/", {"major_manager": staff.manager.pk}, format="json"
    )
    api.post(
        "/api/v1/major-incident-updates/",
        {"incident": incident.pk, "audience": "customer", "body": "We are on it."},
        format="json",
    )
    seen = client(ctx.customer_a).get("/api/v1/major-incident-updates/").json()["results"]
    assert [u["audience"] for u in seen] == ["customer"]
    assert client(ctx.customer_b).get("/api/v1/major-incident-updates/").json()["results"] == []


def test_declaring_needs_a_provider_manager(ctx, staff):
    outsider = factories.person("Cust Person", ctx.org_a)
    r = client(staff.manager_user).post(
        f"/api/v1/incidents/{ticket(ctx).pk}/declare-major/", {"major_manager": outsider.pk}, format="json"
    )
    assert r.status_code == 400 and "major_manager" in r.json()


def test_functional_and_hierarchical_escalation(ctx, staff, django_capture_on_commit_callbacks):
    incident = ticket(ctx, assignment_group=staff.desk)
    api = client(staff.manager_user)
    url = f"/api/v1/incidents/{incident.pk}/escalate/"
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post(url, {"kind": "functional", "assignment_group": staff.network.pk}, format="json")
    assert r.status_code == 200 and r.json()["assignment_group"] == staff.network.pk
    assert ["net@provider.example"] in [m.to for m in mail.outbox]
    assert (
        api.post(url, {"kind": "functional", "assignment_group": staff.network.pk}, format="json").status_code
        == 400
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(url, {"kind": "hierarchical"}, format="json").json()["escalation_level"] == 1
        assert api.post(url, {"kind": "hierarchical"}, format="json").json()["escalation_level"] == 2
    assert any("ceo@provider.example" in m.to for m in mail.outbox)  # level 2 reaches top management
    messages = ChangeRecord.objects.filter(object_id=incident.pk, object_type="incidents.incident")
    assert messages.filter(message__contains="Hierarchical escalation to level 2").exists()
    assert client(ctx.customer_a).post(url, {"kind": "hierarchical"}, format="json").status_code == 403


def test_sla_warning_and_breach_escalate_automatically(ctx, sla, staff):
    start = berlin(2026, 3, 2, 9, 0)
    incident = services.incident_create(
        actor=None,
        data={
            "customer": ctx.org_a,
            "service": sla.service,
            "title": "Slow",
            "impact": 2,
            "urgency": 2,
            "assignment_group": staff.desk,
        },
        now=start,
    )
    clock = SlaClock.objects.get(incident=incident, metric="resolution_time")
    assert sla_clock_check.call_local(clock.pk, clock.version, now=start + dt.timedelta(hours=6)) == "warned"
    assert Incident.objects.get(pk=incident.pk).escalation_level == 1
    assert (
        sla_clock_check.call_local(clock.pk, clock.version, now=start + dt.timedelta(hours=8)) == "breached"
    )
    assert Incident.objects.get(pk=incident.pk).escalation_level == 2


def test_security_incident_priority_follows_risk_and_analysis(ctx, staff):
    api = client(staff.manager_user)
    base = {"customer": ctx.org_a.pk, "title": "Phish", "impact": 3, "urgency": 3}
    plain = api.post("/api/v1/incidents/", base, format="json").json()
    assert plain["priority"] == 5
    high = api.post(
        "/api/v1/incidents/",
        {**base, "is_security": True, "security_category": "phishing", "security_risk": 1},
        format="json",
    ).json()
    assert high["priority"] == 1
    medium = api.post(
        "/api/v1/incidents/",
        {**base, "is_security": True, "security_category": "malware", "security_risk": 2},
        format="json",
    ).json()
    assert medium["priority"] == 2
    bad = api.post("/api/v1/incidents/", {**base, "security_risk": 1}, format="json")
    assert bad.status_code == 400 and "is_security" in bad.json()
    analysis = api.get("/api/v1/incidents/security-analysis/").json()
    assert analysis["total"] == 2
    assert {r["value"]: r["count"] for r in analysis["by_type"]} == {"malware": 1, "phishing": 1}
    assert client(ctx.customer_b).get("/api/v1/incidents/security-analysis/").json()["total"] == 0


def test_request_item_with_approval_and_own_targets(ctx, staff):
    service = factories.service("Virtual machines", customers=[ctx.org_a])
    item = RequestItem.objects.create(
        service=service,
        name="New VM",
        fulfilment_instructions="Clone the golden image.",
        needs_approval=True,
        fulfilment_group=staff.desk,
        response_target_s=4 * H,
        resolution_target_s=2 * 24 * H,
    )
    customer = client(ctx.customer_a)
    r = customer.post(
        "/api/v1/service-requests/", {"title": "VM for test", "request_item": item.pk}, format="json"
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["approval"] == "pending" and body["status"] == "new" and body["service"] == service.pk
    assert {c["metric"]: c["target_s"] for c in body["sla_clocks"]} == {
        "response_time": 4 * H,
        "resolution_time": 48 * H,
    }
    url = f"/api/v1/service-requests/{body['id']}/"
    agent = client(factories.user("ag", ctx.provider, ["incident-agent"]))
    blocked = agent.post(url + "transitions/", {"transition": "start_work"}, format="json")
    assert blocked.status_code == 409 and "approval" in blocked.json()["detail"]
    assert (
        client(ctx.customer_b).post(url + "approval/", {"decision": "approve"}, format="json").status_code
        == 404
    )
    assert agent.post(url + "approval/", {"decision": "approve"}, format="json").status_code == 403
    approved = customer.post(url + "approval/", {"decision": "approve"}, format="json")
    assert approved.status_code == 200 and approved.json()["approval"] == "approved"
    assert approved.json()["status"] == "assigned"
    assert customer.post(url + "approval/", {"decision": "reject"}, format="json").status_code == 409


def test_rejected_request_is_closed_and_its_clocks_carry_no_result(ctx, staff):
    service = factories.service("Licences", customers=[ctx.org_a])
    item = RequestItem.objects.create(
        service=service, name="Extra licence", needs_approval=True, resolution_target_s=H
    )
    incident = services.incident_create(
        actor=None, data={"customer": ctx.org_a, "kind": "request", "request_item": item}
    )
    r = client(staff.manager_user).post(
        f"/api/v1/service-requests/{incident.pk}/approval/",
        {"decision": "reject", "note": "No budget"},
        format="json",
    )
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["closure_code"]) == ("closed", "rejected")
    assert SlaClock.objects.get(incident=incident).met is None


def test_request_items_only_for_requests(ctx):
    service = factories.service("Storage", customers=[ctx.org_a])
    item = RequestItem.objects.create(service=service, name="More storage")
    r = client(ctx.admin).post(
        "/api/v1/incidents/", {"customer": ctx.org_a.pk, "title": "x", "request_item": item.pk}, format="json"
    )
    assert r.status_code == 400 and "service-requests" in r.json()["request_item"][0]


class TestRequestItemAPI(RecordAPISuite):
    endpoint = "request-items"
    model = RequestItem
    writer_roles = ["incident-manager"]
    foreign_roles = ["supplier-manager"]
    customer_visible = True

    def make(self, ctx):
        service = factories.service(factories.unique("Svc"), customers=[ctx.org_a])
        return RequestItem.objects.create(service=service, name="Laptop")

    def create_payload(self, ctx):
        return {
            "service": factories.service(factories.unique("Svc")).pk,
            "name": "Phone",
            "needs_approval": True,
        }

    def invalid_payload(self, ctx):
        return {"name": "No service"}

    def update_payload(self, ctx):
        return {"fulfilment_instructions": "Order from the framework contract."}


class TestMajorDefinitionAPI(RecordAPISuite):
    endpoint = "major-incident-definitions"
    model = MajorIncidentDefinition
    writer_roles = ["incident-manager"]
    foreign_roles = ["catalog-manager"]

    def make(self, ctx):
        return MajorIncidentDefinition.objects.create(
            customer=ctx.org_a, criteria="All users down", priority_at_or_above=1
        )

    def create_payload(self, ctx):
        return {"customer": ctx.org_a.pk, "criteria": "Outage of the web shop", "priority_at_or_above": 2}

    def invalid_payload(self, ctx):
        return {"customer": ctx.org_a.pk}

    def update_payload(self, ctx):
        return {"criteria": "Outage of the web shop over 15 minutes"}


def test_major_incident_pages_declare_update_review_and_close(ctx, staff):
    from django.test import Client

    incident = ticket(ctx, assignment_group=staff.desk)
    browser = Client()
    browser.force_login(staff.manager_user)
    url = f"/incidents/{incident.pk}/"
    assert "Declare major incident" in browser.get(url).content.decode()
    browser.post(url, {"action": "declare_major", "major_manager": staff.manager.pk})
    page = browser.get(url).content.decode()
    assert 'id="major-incident"' in page and "review needed before closure" in page
    browser.post(url, {"action": "major_update", "audience": "customer", "body": "Next update at noon."})
    assert "Next update at noon." in browser.get(url).content.decode()
    form = browser.get(f"/incidents/reviews/new/?incident={incident.pk}")
    assert form.status_code == 200
    saved = browser.post(
        "/incidents/reviews/new/",
        {"incident": incident.pk, "held_on": "2026-03-06", "summary": "PSU failure", "to_improve": "Spares"},
    )
    assert saved.status_code == 302 and saved.url == url
    assert "post-incident review held" in browser.get(url).content.decode()
    customer = Client()
    customer.force_login(ctx.customer_a)
    assert sent_to_portal(customer.get(url))  # customers follow their tickets in the portal
    page = customer.get(f"/portal/tickets/{incident.pk}/").content.decode()
    assert "Next update at noon." in page and "Declare major incident" not in page
