"""The rules of documented information, through the API where a client would meet them: a version comes
into force only after approval by someone other than its author, on its effective date; the version it
replaces is kept and marked obsolete; acknowledgements are one's own; disposal needs a second person and
never touches records under legal hold, and is itself logged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from servitium.core.models import ChangeRecord
from servitium.documents import services
from servitium.documents.lifecycle import DISPOSAL_WORKFLOW, VERSION_WORKFLOW
from servitium.documents.models import DisposalRequest, Document, DocumentAcknowledgement, DocumentVersion
from servitium.incidents import services as incident_services
from servitium.incidents.models import Incident
from tests.base import client, entries_for
from tests.documents.conftest import document, in_force, person_user, series, version


def transition(user, version_id, name, **extra):
    return client(user).post(
        f"/api/v1/document-versions/{version_id}/transitions/", {"transition": name, **extra}, format="json"
    )


def test_every_status_has_an_entry_in_the_tables():
    for workflow, states in (
        (VERSION_WORKFLOW, DocumentVersion.Status),
        (DISPOSAL_WORKFLOW, DisposalRequest.Status),
    ):
        named = {s for t in workflow.transitions for s in (*t.sources, t.target)}
        assert named == set(states.values)


def test_through_the_api_a_new_version_needs_approval_by_someone_other_than_its_author(ctx, staff):
    """The done-when line: write, submit, try to self-approve (400, nothing changed), try to bring into force
    unapproved (409), approve as a second person, bring into force."""
    doc = document()
    author_api = client(staff.author)
    created = author_api.post(
        "/api/v1/document-versions/",
        {
            "document": doc.pk,
            "version": "1.0",
            "body": "How incidents are handled.",
            "summary": "First issue",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "draft" and body["author"] == staff.author.person.pk
    vid = body["id"]
    assert transition(staff.author, vid, "submit").status_code == 200

    # The author holds the approving role too: still refused, 400 naming the problem, nothing written.
    staff.author.roles = ["sms-manager"]
    staff.author.save()
    before = ChangeRecord.objects.count()
    refused = transition(staff.author, vid, "approve", note="Looks good to me")
    assert refused.status_code == 400
    assert refused.json()["code"] == "approver_is_author"
    assert "author" in refused.json()["detail"]
    assert ChangeRecord.objects.count() == before
    stored = DocumentVersion.objects.get(pk=vid)
    assert stored.status == "in_review" and stored.approved_by is None

    # Not approved: it cannot come into force.
    early = transition(staff.approver, vid, "make_effective")
    assert early.status_code == 409
    assert DocumentVersion.objects.get(pk=vid).status == "in_review"

    approved = transition(staff.approver, vid, "approve", note="Checked against 8.6.1")
    assert approved.status_code == 200, approved.json()
    assert approved.json()["approved_by"] == staff.approver.pk and approved.json()["approval_note"]
    effective = transition(staff.approver, vid, "make_effective")
    assert effective.status_code == 200, effective.json()
    assert effective.json()["status"] == "effective"
    doc.refresh_from_db()
    assert doc.current_version_id == vid


def test_self_approval_is_refused_for_the_account_that_wrote_it_even_naming_another_author(ctx, staff):
    doc = document()
    draft = services.version_create(
        actor=staff.approver,
        data={"document": doc, "body": "x", "summary": "y", "author": staff.author.person},
    )
    services.version_transition(actor=staff.author, instance=draft, transition="submit")
    assert transition(staff.approver, draft.pk, "approve").status_code == 400
    assert transition(staff.author, draft.pk, "approve").status_code in (400, 403)


def test_an_agent_may_not_approve(ctx, staff):
    other = person_user("agent2", "Carl Agent", ctx.provider, ["sms-agent"])
    draft = version(document(), staff.author)
    services.version_transition(actor=staff.author, instance=draft, transition="submit")
    assert transition(other, draft.pk, "approve").status_code == 403
    offered = client(other).get(f"/api/v1/document-versions/{draft.pk}/transitions/").json()
    assert "approve" not in [t["name"] for t in offered]


def test_in_force_only_on_its_effective_date_then_the_nightly_job_releases_it(ctx, staff):
    doc = document()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    draft = version(doc, staff.author, effective_date=tomorrow)
    services.version_transition(actor=staff.author, instance=draft, transition="submit")
    services.version_transition(actor=staff.approver, instance=draft, transition="approve")
    early = transition(staff.approver, draft.pk, "make_effective")
    assert early.status_code == 409 and "comes into force on" in early.json()["detail"]
    assert services.versions_bring_into_force() == []
    released = services.versions_bring_into_force(now=timezone.now() + dt.timedelta(days=1, hours=1))
    assert [v.pk for v in released] == [draft.pk]
    draft.refresh_from_db()
    assert draft.status == "effective"


def test_a_new_version_in_force_supersedes_the_old_one_which_is_kept_read_only(ctx, staff):
    doc = document()
    first = in_force(doc, staff.author, staff.approver, version="1.0")
    second = in_force(doc, staff.author, staff.approver, version="2.0", summary="Major incidents added")
    first.refresh_from_db()
    doc.refresh_from_db()
    assert first.status == "superseded" and first.superseded_by_id == second.pk and first.retired_at
    assert first.is_obsolete
    assert doc.current_version_id == second.pk
    assert DocumentVersion.objects.filter(document=doc).count() == 2
    assert [e.message for e in entries_for(first) if e.action == "transition"][-1].startswith("Superseded by")
    api = client(staff.approver)
    before = ChangeRecord.objects.count()
    edited = api.patch(f"/api/v1/document-versions/{first.pk}/", {"body": "rewritten"}, format="json")
    assert edited.status_code == 409
    assert (
        api.patch(f"/api/v1/document-versions/{second.pk}/", {"body": "x"}, format="json").status_code == 409
    )
    assert api.delete(f"/api/v1/document-versions/{first.pk}/").status_code == 409
    assert transition(staff.approver, first.pk, "supersede").status_code == 409
    assert ChangeRecord.objects.count() == before


def test_withdrawing_the_version_in_force_leaves_the_document_without_one(ctx, staff):
    doc = document()
    current = in_force(doc, staff.author, staff.approver)
    assert transition(staff.approver, current.pk, "withdraw").json()["status"] == "obsolete"
    doc.refresh_from_db()
    assert doc.current_version_id is None


def test_submitting_needs_content_and_the_file_goes_through_core_attachments(ctx, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    draft = services.version_create(actor=staff.author, data={"document": document(), "summary": "x"})
    refused = transition(staff.author, draft.pk, "submit")
    assert refused.status_code == 409 and "content" in refused.json()["detail"]
    upload = SimpleUploadedFile("process.pdf", b"%PDF-1.4 process", content_type="application/pdf")
    stored = client(staff.author).post(
        f"/api/v1/document-versions/{draft.pk}/file/", {"file": upload}, format="multipart"
    )
    assert stored.status_code == 200, stored.json()
    assert stored.json()["file"] and len(stored.json()["file_sha256"]) == 64
    assert transition(staff.author, draft.pk, "submit").status_code == 200
    late = SimpleUploadedFile("other.pdf", b"%PDF-1.4 other", content_type="application/pdf")
    after = client(staff.author).post(
        f"/api/v1/document-versions/{draft.pk}/file/", {"file": late}, format="multipart"
    )
    assert after.status_code == 409


def test_people_acknowledge_their_own_and_see_only_their_own(ctx, staff):
    doc = document(
        title="Service management policy", kind="policy", sms_policy=True, requires_acknowledgement=True
    )
    current = in_force(doc, staff.author, staff.approver)
    api = client(staff.reader)
    done = api.post(f"/api/v1/documents/{doc.pk}/acknowledge/", {"note": "Read"}, format="json")
    assert done.status_code == 201, done.json()
    assert done.json()["person"] == staff.reader.person.pk and done.json()["version"] == current.pk
    again = api.post("/api/v1/document-acknowledgements/", {"document": doc.pk}, format="json")
    assert again.status_code == 201 and DocumentAcknowledgement.objects.count() == 1
    services.acknowledgement_create(actor=staff.author, data={"document": doc})
    mine = api.get("/api/v1/document-acknowledgements/").json()
    assert [row["person"] for row in mine["results"]] == [staff.reader.person.pk]
    assert api.get(f"/api/v1/documents/{doc.pk}/acknowledgement-status/").status_code == 403
    status = client(staff.approver).get(f"/api/v1/documents/{doc.pk}/acknowledgement-status/").json()
    assert status["acknowledged"] == 2 and status["expected"] == 3
    assert [p["name"] for p in status["missing"]] == ["Bert Approver"]
    assert status["teams"][0]["team"] == "Desk" and status["teams"][0]["missing"] == []


def test_acknowledging_needs_a_document_that_asks_and_a_version_in_force(ctx, staff):
    silent = document(title="Work instruction", kind="work_instruction")
    in_force(silent, staff.author, staff.approver)
    api = client(staff.reader)
    assert "document" in api.post(f"/api/v1/documents/{silent.pk}/acknowledge/", {}, format="json").json()
    unreleased = document(title="Objectives", kind="policy", requires_acknowledgement=True)
    version(unreleased, staff.author)
    assert api.post(f"/api/v1/documents/{unreleased.pk}/acknowledge/", {}, format="json").status_code == 400
    assert (
        client(ctx.auditor).post(f"/api/v1/documents/{silent.pk}/acknowledge/", {}, format="json").status_code
        == 400
    )


def test_a_new_version_asks_everyone_again(ctx, staff):
    doc = document(title="Policy", kind="policy", requires_acknowledgement=True)
    in_force(doc, staff.author, staff.approver)
    services.acknowledgement_create(actor=staff.reader, data={"document": doc})
    in_force(doc, staff.author, staff.approver, version="2.0")
    doc.refresh_from_db()
    from servitium.documents.selectors import acknowledgement_standing

    assert acknowledgement_standing(doc).acknowledged == 0


def test_confidential_documents_stay_with_their_readers(ctx, staff):
    secret = document(title="Security incident playbook", confidentiality="confidential")
    open_doc = document(title="Service desk handbook")
    api = client(staff.reader)
    listed = [row["id"] for row in api.get("/api/v1/documents/").json()["results"]]
    assert open_doc.pk in listed and secret.pk not in listed
    services.document_update(actor=None, instance=secret, data={}, m2m={"distribution_teams": [staff.team]})
    assert api.get(f"/api/v1/documents/{secret.pk}/").status_code == 200
    assert client(ctx.customer_a).get(f"/api/v1/documents/{open_doc.pk}/").status_code == 404


def test_review_overdue_filter_and_job(ctx, staff):
    from servitium.documents import jobs

    late = document(title="Change process", next_review=timezone.localdate() - dt.timedelta(days=3))
    fine = document(title="Problem process")
    api = client(staff.approver)
    overdue = [
        row["id"] for row in api.get("/api/v1/documents/", {"review_overdue": "true"}).json()["results"]
    ]
    assert overdue == [late.pk]
    assert jobs.flag_document_reviews.call_local() == [late.reference]
    late.refresh_from_db()
    assert late.review_flagged and not Document.objects.get(pk=fine.pk).review_flagged
    reviewed = api.post(f"/api/v1/documents/{late.pk}/review/", {"note": "Still right"}, format="json").json()
    assert reviewed["review_flagged"] is False and reviewed["next_review"] > timezone.localdate().isoformat()


def _old_incident(ctx, days: int) -> Incident:
    ticket = incident_services.incident_create(
        actor=None, data={"customer": ctx.org_a, "title": "Old ticket"}
    )
    Incident.objects.filter(pk=ticket.pk).update(created=timezone.now() - dt.timedelta(days=days))
    return ticket


def _dispose_api(user, request_id, name):
    return client(user).post(
        f"/api/v1/disposal-requests/{request_id}/transitions/", {"transition": name}, format="json"
    )


def test_disposal_needs_a_second_person_and_is_logged(ctx, staff):
    from servitium.documents import jobs

    old, recent = _old_incident(ctx, 900), _old_incident(ctx, 30)
    kept = series()
    assert jobs.flag_records_for_disposal.call_local() == {kept.reference: 1}
    cutoff = (timezone.localdate() - dt.timedelta(days=760)).isoformat()
    requester = person_user("requester", "Rob Requester", ctx.provider, ["sms-manager", "incident-manager"])
    created = client(requester).post(
        "/api/v1/disposal-requests/",
        {"series": kept.pk, "cutoff": cutoff, "reason": "Past retention"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    rid = created.json()["id"]
    assert created.json()["record_count"] == 1
    assert _dispose_api(requester, rid, "dispose").status_code == 409  # not approved yet
    before = ChangeRecord.objects.count()
    refused = _dispose_api(requester, rid, "approve")
    assert refused.status_code == 400 and refused.json()["code"] == "approver_is_author"
    assert ChangeRecord.objects.count() == before
    assert Incident.objects.filter(pk=old.pk).exists()
    second = person_user("second", "Sue Second", ctx.provider, ["sms-manager", "incident-manager"])
    assert _dispose_api(second, rid, "approve").status_code == 200
    disposed = _dispose_api(requester, rid, "dispose")
    assert disposed.status_code == 200, disposed.json()
    assert disposed.json()["status"] == "disposed" and disposed.json()["disposed_count"] == 1
    assert not Incident.objects.filter(pk=old.pk).exists() and Incident.objects.filter(pk=recent.pk).exists()
    deleted = ChangeRecord.objects.filter(object_type="incidents.incident", object_id=old.pk, action="delete")
    assert deleted.count() == 1 and deleted.get().actor_name == "requester"
    logged = ChangeRecord.objects.filter(
        object_type="documents.disposalrequest", object_id=rid, action="transition"
    )
    assert "1 records" in logged.order_by("id").last().message


def test_nothing_under_legal_hold_can_be_disposed(ctx, staff):
    old = _old_incident(ctx, 900)
    held = series()
    cutoff = timezone.localdate() - dt.timedelta(days=760)
    request = services.disposal_request_create(actor=staff.author, data={"series": held, "cutoff": cutoff})
    services.disposal_transition(actor=staff.approver, instance=request, transition="approve")
    from servitium.core import services as core_services

    core_services.record_update(
        instance=held, data={"legal_hold": True, "legal_hold_reason": "Litigation with Alder"}, actor=None
    )
    refused = _dispose_api(staff.approver, request.pk, "dispose")
    assert refused.status_code == 409 and "legal hold" in refused.json()["detail"]
    assert Incident.objects.filter(pk=old.pk).exists()
    asked = client(staff.approver).post(
        "/api/v1/disposal-requests/", {"series": held.pk, "cutoff": cutoff.isoformat()}, format="json"
    )
    assert asked.status_code == 400 and "legal hold" in asked.json()["series"][0]


def test_records_inside_retention_cannot_be_asked_for(ctx, staff):
    kept = series(retention_months=24)
    response = client(staff.approver).post(
        "/api/v1/disposal-requests/",
        {"series": kept.pk, "cutoff": (timezone.localdate() - dt.timedelta(days=30)).isoformat()},
        format="json",
    )
    assert response.status_code == 400 and "cutoff" in response.json()


@pytest.mark.parametrize("value", ["core.comment", "incidents", "nothing.there"])
def test_the_register_refuses_record_types_it_cannot_dispose_of(ctx, value):
    response = client(ctx.admin).post(
        "/api/v1/record-series/",
        {
            "name": "x",
            "record_type": value,
            "location": "x",
            "retention_months": 1,
            "disposal_method": "delete",
        },
        format="json",
    )
    assert response.status_code == 400 and "record_type" in response.json()
