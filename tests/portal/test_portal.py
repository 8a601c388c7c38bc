"""The customer portal, as a customer uses it: raising requests and incidents, following and answering
them, and never seeing another organization's records. Staff and customers each land on their own side."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from servitium.core import services as core_services
from servitium.core.models import Attachment, Comment
from servitium.incidents import services as incident_services
from servitium.incidents.models import Approval, Incident
from servitium.portal import services as portal_services
from servitium.portal import wording
from servitium.portal.models import NotificationPreference
from servitium.problems.models import KnownError
from servitium.relationships.models import Complaint, Survey, SurveyInvitation, SurveyResponse
from tests import factories

from .conftest import browser

pytestmark = pytest.mark.django_db


def test_catalogue_lists_only_what_the_organization_receives(portal):
    page = browser(portal.customer_a).get("/portal/catalogue/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Virtual machine" in text and "GPU server" in text
    assert "Object Storage" not in text and "Customer B" not in text
    assert "Needs approval by your organization." in text  # the GPU server's request item


def test_customer_raises_a_request_with_options_from_the_catalogue(portal):
    client = browser(portal.customer_a)
    form = client.get(f"/portal/catalogue/o{portal.vm.pk}/")
    assert form.status_code == 200 and "Frankfurt" in form.content.decode()
    response = client.post(
        f"/portal/catalogue/o{portal.vm.pk}/",
        {"option_size": "XL", "option_region": "Dublin", "details": "for the batch jobs"},
    )
    ticket = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/portal/tickets/{ticket.pk}/"
    assert ticket.kind == Incident.Kind.REQUEST and ticket.service == portal.compute
    assert ticket.customer == portal.org_a and ticket.caller == portal.people.requester
    assert ticket.description == "region: Dublin\nsize: XL\n\nfor the batch jobs"
    assert ticket.approval != Approval.PENDING and ticket.request_item is None
    page = client.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    assert "We aim to respond by" in page and "on track" in page


def test_an_option_not_offered_is_refused_by_name(portal):
    response = browser(portal.customer_a).post(
        f"/portal/catalogue/o{portal.vm.pk}/", {"option_size": "XXL", "option_region": "Dublin"}
    )
    assert (
        response.status_code == 400 and "XXL is not one of the available choices" in response.content.decode()
    )
    assert not Incident.objects.exists()


def test_a_request_needing_approval_waits_for_another_approver_of_the_organization(portal):
    client = browser(portal.customer_a)
    client.post(f"/portal/catalogue/o{portal.gpu.pk}/", {"details": "for training"})
    ticket = Incident.objects.get()
    assert ticket.request_item == portal.gpu_item and ticket.approval == Approval.PENDING
    assert "Waiting for approval" in client.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    # The requester may not approve their own request; the page offers them no decision either.
    assert "needs your approval" not in client.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    refused = client.post(f"/portal/tickets/{ticket.pk}/", {"action": "approve"})
    assert refused.status_code == 400
    ticket.refresh_from_db()
    assert ticket.approval == Approval.PENDING
    approver = browser(portal.approver)
    assert ticket.reference in approver.get("/portal/approvals/").content.decode()
    assert "One request waits for your approval." in approver.get("/portal/").content.decode()
    done = approver.post(f"/portal/tickets/{ticket.pk}/", {"action": "approve", "note": "ok"})
    assert done.status_code == 302
    ticket.refresh_from_db()
    assert ticket.approval == Approval.APPROVED and ticket.approved_by == portal.people.approver


def test_customer_raises_an_incident_on_one_of_its_services(portal):
    client = browser(portal.customer_a)
    form = client.get("/portal/report/").content.decode()
    assert "How badly does this affect you?" in form
    for staff_word in ("Impact", "Urgency", "Channel", "Assignment group", "Escalation"):
        assert staff_word not in form
    response = client.post(
        "/portal/report/",
        {
            "service": portal.compute.pk,
            "title": "VM does not boot",
            "details": "since 9:00",
            "effect": "i_am_stopped",
        },
    )
    ticket = Incident.objects.get()
    assert response.status_code == 302
    assert (ticket.kind, ticket.service, ticket.impact, ticket.urgency) == ("incident", portal.compute, 2, 1)
    assert ticket.customer == portal.org_a


def test_the_service_is_required_and_must_be_the_organizations_own(portal):
    client = browser(portal.customer_a)
    missing = client.post("/portal/report/", {"title": "Broken", "effect": "minor"})
    assert missing.status_code == 400 and "Choose the service this is about." in missing.content.decode()
    foreign = client.post(
        "/portal/report/", {"service": portal.storage.pk, "title": "Broken", "effect": "minor"}
    )
    assert foreign.status_code == 400
    assert "Choose one of the services your organization receives." in foreign.content.decode()
    assert "Object Storage" not in foreign.content.decode()
    assert not Incident.objects.exists()
    # The service refuses it too, whatever door the call comes through.
    with pytest.raises(Exception, match="services your organization receives"):
        portal_services.problem_report(
            actor=portal.customer_a, service=portal.storage, title="x", details="", effect="minor"
        )


def test_every_effect_maps_to_impact_and_urgency_in_one_rule():
    assert [wording.effect_classification(code) for code, _label in wording.EFFECT_CHOICES] == [
        {"impact": 1, "urgency": 1},
        {"impact": 2, "urgency": 1},
        {"impact": 3, "urgency": 2},
        {"impact": 3, "urgency": 3},
    ]


def _ticket(portal, *, ago_s: int = 0, customer=None) -> Incident:
    customer = customer or portal.customer_a
    service = portal.compute if customer == portal.customer_a else portal.storage
    return incident_services.incident_create(
        actor=customer,
        data={"title": "Slow disks", "service": service},
        derived={"kind": "incident"},
        now=timezone.now() - dt.timedelta(seconds=ago_s),
    )


def test_sla_state_reads_in_plain_words_late_in_red(portal):
    late = _ticket(portal, ago_s=2 * 3600)
    page = browser(portal.customer_a).get("/portal/").content.decode()
    assert "We aim to respond by" in page and "— late" in page and "text-danger-emphasis" in page
    assert late.reference in page


def test_customer_replies_and_attaches_and_reads_the_public_conversation_only(portal):
    ticket = _ticket(portal)
    core_services.comment_create(
        actor=portal.agent,
        object_type="incidents.incident",
        object_id=ticket.pk,
        body="internal: check host 7",
    )
    core_services.comment_create(
        actor=portal.agent,
        object_type="incidents.incident",
        object_id=ticket.pk,
        body="We are looking at it.",
        visibility="public",
    )
    client = browser(portal.customer_a)
    page = client.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    assert "We are looking at it." in page and "check host 7" not in page
    assert (
        client.post(f"/portal/tickets/{ticket.pk}/", {"action": "reply", "body": "Thanks!"}).status_code
        == 302
    )
    reply = Comment.objects.get(body="Thanks!")
    assert reply.visibility == "public" and reply.author == portal.customer_a
    upload = SimpleUploadedFile("screen.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png")
    assert (
        client.post(f"/portal/tickets/{ticket.pk}/", {"action": "upload", "file": upload}).status_code == 302
    )
    attachment = Attachment.objects.get()
    assert attachment.name == "screen.png" and attachment.object_id == ticket.pk
    page = client.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    assert f"/api/v1/attachments/{attachment.pk}/download/" in page
    download = client.get(f"/api/v1/attachments/{attachment.pk}/download/")
    assert download.status_code == 200
    empty = client.post(f"/portal/tickets/{ticket.pk}/", {"action": "reply", "body": ""})
    assert empty.status_code == 400 and Comment.objects.filter(author=portal.customer_a).count() == 1


def test_customer_confirms_a_solved_ticket_or_reopens_it(portal):
    ticket = _ticket(portal)
    for transition in ("start_work", "resolve"):
        ticket = incident_services.incident_transition(
            actor=portal.agent,
            instance=ticket,
            transition=transition,
            data={"resolution_code": "fixed", "resolution_notes": "Disk replaced."},
        )
    client = browser(portal.customer_a)
    page = client.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    assert "We think this is solved" in page and "Disk replaced." in page
    client.post(f"/portal/tickets/{ticket.pk}/", {"action": "not_solved", "note": "Still slow"})
    ticket.refresh_from_db()
    assert ticket.status == "in_progress" and Comment.objects.filter(body="Still slow").exists()
    ticket = incident_services.incident_transition(
        actor=portal.agent,
        instance=ticket,
        transition="resolve",
        data={"resolution_code": "fixed", "resolution_notes": "Disk replaced again."},
    )
    client.post(f"/portal/tickets/{ticket.pk}/", {"action": "solved"})
    ticket.refresh_from_db()
    assert ticket.status == "closed"


def test_another_organizations_ticket_is_not_found(portal):
    theirs = _ticket(portal, customer=portal.customer_b)
    client = browser(portal.customer_a)
    assert client.get(f"/portal/tickets/{theirs.pk}/").status_code == 404
    assert client.post(f"/portal/tickets/{theirs.pk}/", {"action": "reply", "body": "hi"}).status_code == 404
    home = client.get("/portal/tickets/?show=all").content.decode()
    assert theirs.reference not in home and "Customer B" not in home
    assert not Comment.objects.exists()


def test_customer_answers_a_survey_once(portal):
    survey = core_services.record_create(
        model=Survey,
        data={
            "title": "How are we doing?",
            "status": "open",
            "questions": [
                {"id": "overall", "text": "Overall?", "type": "scale"},
                {"id": "say", "text": "Anything else?", "type": "text"},
            ],
        },
        actor=None,
    )
    invitation = core_services.record_create(
        model=SurveyInvitation,
        data={
            "survey": survey,
            "person": portal.people.requester,
            "customer": portal.org_a,
            "round_label": "r1",
        },
        actor=None,
    )
    client = browser(portal.customer_a)
    assert "How are we doing?" in client.get("/portal/surveys/").content.decode()
    assert (
        client.post(f"/portal/surveys/{invitation.pk}/", {"q_overall": "4", "q_say": "fine"}).status_code
        == 302
    )
    response = SurveyResponse.objects.get()
    assert response.answers == {"overall": 4, "say": "fine"} and response.customer == portal.org_a
    assert client.get(f"/portal/surveys/{invitation.pk}/").status_code == 404  # answered
    assert browser(portal.approver).get(f"/portal/surveys/{invitation.pk}/").status_code == 404  # not theirs


def test_customer_raises_and_follows_a_complaint(portal):
    client = browser(portal.customer_a)
    response = client.post(
        "/portal/complaints/",
        {"service": portal.compute.pk, "title": "Nobody called back", "description": "Twice."},
    )
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/portal/complaints/{complaint.pk}/"
    assert complaint.customer == portal.org_a and complaint.raised_by == portal.people.requester
    assert "Nobody called back" in client.get(f"/portal/complaints/{complaint.pk}/").content.decode()
    assert browser(portal.customer_b).get(f"/portal/complaints/{complaint.pk}/").status_code == 404
    foreign = client.post(
        "/portal/complaints/", {"service": portal.storage.pk, "title": "x", "description": "y"}
    )
    assert foreign.status_code == 400 and Complaint.objects.count() == 1


def test_published_known_errors_are_help_articles_unpublished_ones_are_not(portal):
    published = core_services.record_create(
        model=KnownError,
        data={
            "title": "VM console blank",
            "root_cause": "driver",
            "workaround": "Reload",
            "service": portal.compute,
        },
        actor=None,
    )
    hidden = core_services.record_create(
        model=KnownError,
        data={
            "title": "Hypervisor leak",
            "root_cause": "bug",
            "workaround": "reboot",
            "service": portal.compute,
        },
        actor=None,
    )
    other = core_services.record_create(
        model=KnownError,
        data={"title": "Bucket ACL", "root_cause": "x", "workaround": "y", "service": portal.storage},
        actor=None,
    )
    publisher = browser(factories.user("problem_mgr", portal.provider, ["problem-manager"]))
    assert "Publish to customers" in publisher.get(published.get_absolute_url()).content.decode()
    publisher.post(
        f"/help-articles/{published.pk}/publish/",
        {"title": "The console stays blank", "advice": "Press reload."},
    )
    portal_services.help_article_publish(actor=None, known_error=other, title="Bucket access", advice="Wait")
    client = browser(portal.customer_a)
    page = client.get("/portal/help/").content.decode()
    assert "The console stays blank" in page
    assert "Hypervisor leak" not in page and hidden.title not in page and "Bucket access" not in page
    article = published.help_article
    assert "Press reload." in client.get(f"/portal/help/{article.pk}/").content.decode()
    assert client.get(f"/portal/help/{other.help_article.pk}/").status_code == 404
    publisher.post(f"/help-articles/{published.pk}/withdraw/")
    assert client.get(f"/portal/help/{article.pk}/").status_code == 404


def test_service_levels_and_notification_preferences(portal):
    client = browser(portal.customer_a)
    page = client.get("/portal/service-levels/").content.decode()
    assert "Virtual Compute" in page and "Object Storage" not in page
    client.post("/portal/settings/", {"replies": "on", "resolved": "on"})
    preference = NotificationPreference.objects.get(user=portal.customer_a)
    assert (preference.replies, preference.waiting, preference.resolved) == (True, False, True)
    ticket = _ticket(portal)
    mail.outbox.clear()
    incident_services.incident_transition(actor=portal.agent, instance=ticket, transition="await_customer")
    assert [m for m in mail.outbox if "rita@a.example" in m.to] == []  # said no to "waiting" mails


def test_staff_are_sent_to_the_staff_home_and_customers_to_the_portal(portal):
    staff = browser(portal.agent)
    assert staff.get("/portal/").status_code == 302 and staff.get("/portal/")["Location"] == "/"
    assert staff.get("/portal/tickets/").status_code == 302
    customer = browser(portal.customer_a)
    for staff_page in ("/", "/incidents/", "/catalog/services/", f"/incidents/{_ticket(portal).pk}/"):
        response = customer.get(staff_page)
        assert response.status_code == 302 and response["Location"] == "/portal/", staff_page
    # What both sides use stays open to customers: the API, sign-out, static files.
    assert customer.get("/api/v1/incidents/").status_code == 200
    assert customer.get("/portal/").status_code == 200


def test_an_anonymous_visitor_is_asked_to_sign_in():
    from django.test import Client

    response = Client().get("/portal/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
