"""The REST resources of documented information: generated suites for each record type."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from servitium.documents import services
from servitium.documents.models import (
    DisposalRequest,
    Document,
    DocumentAcknowledgement,
    DocumentVersion,
    RecordSeries,
)
from tests.base import RecordAPISuite
from tests.documents.conftest import document, in_force, person_user, series


class TestDocumentAPI(RecordAPISuite):
    endpoint = "documents"
    model = Document
    writer_roles = ["sms-agent"]
    foreign_roles = ["incident-manager", "auditor"]
    deletable = False  # agents may not delete; managers may
    customer_visible = False

    def make(self, ctx):
        return document(processes=["incidents"], requirements=["iso20000-1:2018#8.6.1"])

    def create_payload(self, ctx):
        return {
            "title": "Change management policy",
            "kind": "policy",
            "processes": ["changes"],
            "next_review": "2027-06-30",
        }

    def invalid_payload(self, ctx):
        return {"title": "Bad", "kind": "process", "processes": ["juggling"]}

    def update_payload(self, ctx):
        return {"points_of_use": "Intranet / SMS", "review_interval_months": 6}


class TestDocumentVersionAPI(RecordAPISuite):
    endpoint = "document-versions"
    model = DocumentVersion
    writer_roles = ["sms-agent"]
    foreign_roles = ["incident-manager"]
    deletable = False  # agents may not delete
    customer_visible = False

    def make(self, ctx):
        return services.version_create(
            actor=None, data={"document": document(), "body": "Text", "summary": "New"}
        )

    def create_payload(self, ctx):
        return {"document": document().pk, "version": "1.0", "body": "Steps", "summary": "First issue"}

    def invalid_payload(self, ctx):
        return {"document": 999999, "version": "1.0"}

    def update_payload(self, ctx):
        return {"summary": "Clarified the escalation step", "body": "Steps, clarified"}


class TestAcknowledgementAPI(RecordAPISuite):
    endpoint = "document-acknowledgements"
    model = DocumentAcknowledgement
    writer_roles = ["sms-agent"]
    foreign_roles = []
    deletable = False
    customer_visible = False

    def writer(self, ctx):
        from servitium.parties.models import User

        found = User.objects.filter(username="suite_writer").first()
        return found or person_user("suite_writer", "Suite Writer", ctx.provider, self.writer_roles)

    def _policy(self, ctx):
        author = person_user(
            f"a{Document.objects.count()}", f"Author {Document.objects.count()}", ctx.provider, ["sms-agent"]
        )
        approver = person_user(
            f"b{Document.objects.count()}",
            f"Approver {Document.objects.count()}",
            ctx.provider,
            ["sms-manager"],
        )
        doc = document(title="Policy", kind="policy", requires_acknowledgement=True)
        in_force(doc, author, approver)
        doc.refresh_from_db()
        return doc

    def make(self, ctx):
        doc = self._policy(ctx)
        reader = person_user(f"r{doc.pk}", f"Reader {doc.pk}", ctx.provider, ["incident-agent"])
        return services.acknowledgement_create(actor=reader, data={"document": doc, "note": "Read it"})

    def create_payload(self, ctx):
        return {"document": self._policy(ctx).pk, "note": "Read and understood"}

    def invalid_payload(self, ctx):
        return {"document": document(title="No ack").pk}

    def update_payload(self, ctx):
        return {"note": "Read twice"}

    def test_update_logs_the_changed_fields(self, ctx):
        """People change only the note of their own acknowledgement."""
        writer = self.writer(ctx)
        doc = self._policy(ctx)
        own = services.acknowledgement_create(actor=writer, data={"document": doc})
        response = self.api(writer).patch(self.url(own), self.update_payload(ctx), format="json")
        assert response.status_code == 200, response.json()

    def test_anonymous_gets_401(self, ctx):
        super().test_anonymous_gets_401(ctx)


class TestRecordSeriesAPI(RecordAPISuite):
    endpoint = "record-series"
    model = RecordSeries
    writer_roles = ["sms-agent"]
    foreign_roles = ["incident-manager"]
    deletable = False
    customer_visible = False

    def make(self, ctx):
        return series()

    def create_payload(self, ctx):
        return {
            "name": "Change records",
            "record_type": "changes.change",
            "location": "Servitium",
            "retention_months": 36,
            "disposal_method": "delete",
        }

    def invalid_payload(self, ctx):
        return {
            "name": "Bad",
            "record_type": "nothing.here",
            "location": "x",
            "retention_months": 1,
            "disposal_method": "delete",
        }

    def update_payload(self, ctx):
        return {"legal_hold": True, "legal_hold_reason": "Customer dispute 2026-14"}


class TestDisposalRequestAPI(RecordAPISuite):
    endpoint = "disposal-requests"
    model = DisposalRequest
    writer_roles = ["sms-agent"]
    foreign_roles = ["incident-manager"]
    deletable = False  # agents may not delete; an SMS manager may withdraw an open request
    customer_visible = False

    def cutoff(self) -> str:
        return (timezone.localdate() - dt.timedelta(days=800)).isoformat()

    def make(self, ctx):
        return services.disposal_request_create(
            actor=None,
            data={
                "series": series(),
                "cutoff": dt.date.fromisoformat(self.cutoff()),
                "reason": "Past retention",
            },
        )

    def create_payload(self, ctx):
        return {"series": series().pk, "cutoff": self.cutoff(), "reason": "Yearly clean-up"}

    def invalid_payload(self, ctx):
        return {"series": series().pk, "cutoff": timezone.localdate().isoformat()}

    def update_payload(self, ctx):
        return {"reason": "Yearly clean-up of closed incidents"}
