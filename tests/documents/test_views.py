"""The pages under /sms/documents/: generated suites for each record type, the refusal of self-approval
on the page (400 naming the problem), obsolete versions marked, acknowledgement from the page, the
awareness view per team, and the SMS home tile."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from servitium.core.models import ChangeRecord
from servitium.documents import services
from servitium.documents.models import (
    DisposalRequest,
    Document,
    DocumentAcknowledgement,
    DocumentVersion,
    RecordSeries,
)
from tests.base import RecordUISuite, browser
from tests.documents.conftest import document, in_force, person_user, series, version


class TestDocumentPages(RecordUISuite):
    model = Document
    writer_roles = ["sms-agent"]

    def make(self, ctx):
        return document(processes=["incidents"])


class TestVersionPages(RecordUISuite):
    model = DocumentVersion
    writer_roles = ["sms-agent"]

    def make(self, ctx):
        return services.version_create(
            actor=None, data={"document": document(), "body": "Text", "summary": "New"}
        )


class TestAcknowledgementPages(RecordUISuite):
    model = DocumentAcknowledgement
    writer_roles = ["sms-manager"]

    def make(self, ctx):
        author = person_user("ui_author", "Ui Author", ctx.provider, ["sms-agent"])
        approver = person_user("ui_approver", "Ui Approver", ctx.provider, ["sms-manager"])
        doc = document(title="Policy", kind="policy", requires_acknowledgement=True)
        in_force(doc, author, approver)
        return services.acknowledgement_create(actor=author, data={"document": doc})


class TestRecordSeriesPages(RecordUISuite):
    model = RecordSeries
    writer_roles = ["sms-agent"]

    def make(self, ctx):
        return series()


class TestDisposalRequestPages(RecordUISuite):
    model = DisposalRequest
    writer_roles = ["sms-agent"]

    def make(self, ctx):
        cutoff = timezone.localdate() - dt.timedelta(days=800)
        return services.disposal_request_create(actor=None, data={"series": series(), "cutoff": cutoff})


def test_self_approval_on_the_page_is_a_400_naming_the_problem(ctx, staff):
    staff.author.roles = ["sms-manager"]
    staff.author.save()
    draft = version(document(), staff.author)
    services.version_transition(actor=staff.author, instance=draft, transition="submit")
    before = ChangeRecord.objects.count()
    page = browser(staff.author).post(draft.get_absolute_url(), {"transition": "approve", "note": "ok"})
    assert page.status_code == 400
    assert "approver must be someone other than the author" in page.content.decode()
    assert ChangeRecord.objects.count() == before
    ok = browser(staff.approver).post(draft.get_absolute_url(), {"transition": "approve", "note": "Checked"})
    assert ok.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "approved" and draft.approval_note == "Checked"


def test_obsolete_versions_are_marked_and_the_document_lists_them(ctx, staff):
    doc = document()
    first = in_force(doc, staff.author, staff.approver, version="1.0")
    second = in_force(doc, staff.author, staff.approver, version="2.0")
    page = browser(staff.reader).get(first.get_absolute_url())
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="obsolete"' in text and str(second) in text
    listing = browser(staff.reader).get(doc.get_absolute_url()).content.decode()
    assert "Version 1.0" in listing and "Version 2.0" in listing


def test_acknowledge_from_the_page_and_the_awareness_view_per_team(ctx, staff):
    doc = document(
        title="Service management policy", kind="policy", sms_policy=True, requires_acknowledgement=True
    )
    in_force(doc, staff.author, staff.approver)
    reader = browser(staff.reader)
    assert reader.post(doc.get_absolute_url(), {"action": "acknowledge"}).status_code == 302
    assert DocumentAcknowledgement.objects.filter(person=staff.reader.person).count() == 1
    assert reader.get("/sms/documents/awareness/").status_code == 403
    page = browser(staff.approver).get("/sms/documents/awareness/")
    assert page.status_code == 200
    assert page.context["standings"][0].teams[0].team == staff.team
    assert "Anna Author" in page.content.decode()  # has not acknowledged


def test_review_overdue_list_filter(ctx, staff):
    late = document(title="Release process", next_review=timezone.localdate() - dt.timedelta(days=1))
    fine = document(title="Problem process")
    page = browser(staff.approver).get("/sms/documents/", {"review_overdue": "true"})
    assert page.status_code == 200
    assert (
        late.get_absolute_url().encode() in page.content
        and fine.get_absolute_url().encode() not in page.content
    )


def test_sms_home_tile_and_review_input(ctx, staff):
    from servitium.core.panels import LIST, panels
    from servitium.core.reviewinputs import review_inputs

    doc = document(title="Policy", kind="policy", sms_policy=True, requires_acknowledgement=True)
    in_force(doc, staff.author, staff.approver)
    shown = panels("sms.home", None, staff.approver, page=LIST)
    tile = next(p for p in shown if p["template"] == "documents/_sms_home_panel.html")
    assert tile["context"]["in_force"] == 1 and tile["context"]["acknowledgement_rate"] == 0
    assert not [
        p for p in panels("sms.home", None, ctx.customer_a, page=LIST) if "documents" in p["template"]
    ]
    entry = next(i for i in review_inputs() if i.key == "documents")
    assert entry.topics == ("policy_objectives",)
    today = timezone.localdate()
    context = entry.context(today - dt.timedelta(days=30), today, staff.approver)
    assert context["policy_version"].document == doc and context["changed"] == 1
    from django.template.loader import render_to_string

    assert "Policy" in render_to_string(entry.template, context)
