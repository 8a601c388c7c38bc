"""Mail from unknown senders: held for triage, answered, then accepted (a person and a ticket, attachments
and threading kept) or rejected; staff only; bad input refused with nothing written."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from django.core import mail
from django.test import Client

from servitium.core.models import Attachment, ChangeRecord
from servitium.incidents.mailgate.inbound import process
from servitium.incidents.models import HeldMail, Incident
from servitium.parties.models import Person
from tests import factories
from tests.base import client, sent_to_portal

STRANGER = "nina.new@a.example"


def new_joiner_mail(msg_id: str = "<new1@a.example>", attach: bool = True) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Nina New <{STRANGER}>"
    msg["To"] = "servicedesk@nimbus.example"
    msg["Subject"] = "Cannot open the CRM"
    msg["Message-ID"] = msg_id
    msg.set_content("I started on Monday and the CRM says access denied.")
    if attach:
        msg.add_attachment(b"error 403", maintype="text", subtype="plain", filename="error.txt")
    return msg.as_bytes()


@pytest.fixture
def agent(ctx):
    return factories.user("triage-agent", ctx.provider, ["incident-agent"])


@pytest.fixture
def colleague(ctx):
    # Someone of customer A already writes from the same domain: the organization is suggested.
    return factories.person("Grace Miller", ctx.org_a, email="grace.miller@a.example")


def test_unknown_sender_waits_for_triage_and_hears_back(ctx, colleague, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = process(new_joiner_mail())
    assert result.outcome == "held" and result.incident is None
    held = HeldMail.objects.get()
    assert (held.sender, held.sender_name, held.status) == (STRANGER, "Nina New", "waiting")
    assert held.organization == ctx.org_a  # suggested from grace's domain
    assert not Incident.objects.exists() and not Person.objects.filter(email=STRANGER).exists()
    answer = mail.outbox[-1]
    assert answer.to == [STRANGER] and answer.subject == "Re: Cannot open the CRM"
    assert answer.extra_headers["In-Reply-To"] == "<new1@a.example>"
    assert answer.extra_headers["Auto-Submitted"] == "auto-replied"
    assert "will look at it" in answer.body
    # The same message delivered again is not held twice.
    assert process(new_joiner_mail()).outcome == "duplicate"
    assert HeldMail.objects.count() == 1


def test_no_answer_when_configured_off_and_no_suggestion_without_a_known_domain(ctx, settings):
    settings.MAIL_TRIAGE_ANSWER = False
    process(new_joiner_mail())
    held = HeldMail.objects.get()
    assert held.organization is None
    assert not mail.outbox


def test_accept_creates_the_person_and_the_ticket_with_attachments_and_threading(
    ctx, colleague, agent, django_capture_on_commit_callbacks
):
    process(new_joiner_mail())
    held = HeldMail.objects.get()
    api = client(agent)
    listed = api.get("/api/v1/held-mail/?status=waiting").json()
    assert [r["id"] for r in listed["results"]] == [held.pk]
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"/api/v1/held-mail/{held.pk}/transitions/",
            {"transition": "accept", "organization": ctx.org_a.pk, "note": "New joiner at A"},
            format="json",
        )
    assert response.status_code == 200, response.content
    body = response.json()
    incident = Incident.objects.get()
    person = Person.objects.get(email=STRANGER)
    assert (body["status"], body["incident"], body["person"]) == ("accepted", incident.pk, person.pk)
    assert (person.name, person.organization) == ("Nina New", ctx.org_a)
    assert (incident.customer, incident.caller, incident.channel) == (ctx.org_a, person, "email")
    assert incident.title == "Cannot open the CRM"
    assert Attachment.objects.filter(object_id=incident.pk, name="error.txt").exists()
    ack = mail.outbox[-1]
    assert f"[{incident.reference}]" in ack.subject and ack.to == [STRANGER]
    entry = ChangeRecord.objects.filter(object_type="incidents.heldmail", action="transition").get()
    assert entry.actor_id == agent.pk and entry.message == "New joiner at A"
    # Her reply to the first message lands on the ticket.
    reply = EmailMessage()
    reply["From"], reply["To"], reply["Subject"] = STRANGER, "desk@nimbus.example", "Re: Cannot open the CRM"
    reply["Message-ID"], reply["In-Reply-To"] = "<new2@a.example>", "<new1@a.example>"
    reply.set_content("It works after a restart, thanks.")
    result = process(reply.as_bytes())
    assert (result.outcome, result.incident) == ("appended", incident)
    # Accepted once: a second accept is refused.
    again = api.post(f"/api/v1/held-mail/{held.pk}/transitions/", {"transition": "accept"}, format="json")
    assert again.status_code == 409


def test_accept_needs_a_customer_organization_and_writes_nothing_otherwise(ctx, agent):
    process(new_joiner_mail())
    held = HeldMail.objects.get()
    api = client(agent)
    url = f"/api/v1/held-mail/{held.pk}/transitions/"
    missing = api.post(url, {"transition": "accept"}, format="json")
    assert missing.status_code == 409 and "organization" in missing.json()["detail"]
    for bad in (ctx.provider.pk, 999999, "abc"):
        refused = api.post(url, {"transition": "accept", "organization": bad}, format="json")
        assert refused.status_code == 400, (bad, refused.content)
        assert "organization" in refused.json()
    held.refresh_from_db()
    assert held.status == "waiting" and held.organization is None
    assert not Incident.objects.exists() and not Person.objects.filter(email=STRANGER).exists()


def test_reject_keeps_the_decision(ctx, agent):
    process(new_joiner_mail(attach=False))
    held = HeldMail.objects.get()
    response = client(agent).post(
        f"/api/v1/held-mail/{held.pk}/transitions/", {"transition": "reject", "note": "Spam"}, format="json"
    )
    assert response.status_code == 200
    held.refresh_from_db()
    assert (held.status, held.decision_note, held.incident) == ("rejected", "Spam", None)
    assert not Incident.objects.exists()


def test_staff_only_and_never_created_by_hand(ctx, agent, customer_a):
    process(new_joiner_mail())
    held = HeldMail.objects.get()
    listed = client(customer_a).get("/api/v1/held-mail/")
    assert listed.status_code == 403 or listed.json()["results"] == []
    assert client(customer_a).get(f"/api/v1/held-mail/{held.pk}/").status_code in (403, 404)
    created = client(agent).post("/api/v1/held-mail/", {"sender": "x@y.example"}, format="json")
    assert created.status_code == 403
    assert HeldMail.objects.count() == 1
    # The original message stays out of the API (it is kept only to bring attachments along).
    assert "raw" not in client(agent).get(f"/api/v1/held-mail/{held.pk}/").json()


def test_queue_notice_and_ui_accept(ctx, colleague, agent, customer_a):
    process(new_joiner_mail())
    held = HeldMail.objects.get()
    web = Client()
    web.force_login(agent)
    queue = web.get("/incidents/").content.decode()
    assert "1 message from an unknown sender waits for triage" in queue
    page = web.get(f"/incidents/held-mail/{held.pk}/").content.decode()
    assert "Accept: open a ticket" in page and "Suite Customer A" in page
    assert ctx.provider.name not in page.split('name="organization"', 1)[1].split("</select>", 1)[0]
    web.post(f"/incidents/held-mail/{held.pk}/", {"transition": "accept", "organization": ctx.org_a.pk})
    held.refresh_from_db()
    assert held.status == "accepted" and held.incident is not None
    assert "waits for triage" not in web.get("/incidents/").content.decode()
    customer_web = Client()
    customer_web.force_login(customer_a)
    assert sent_to_portal(customer_web.get("/incidents/"))
    assert "waits for triage" not in customer_web.get("/portal/").content.decode()
