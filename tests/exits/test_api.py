"""The REST resources of exit and transfer: generated suites plus the plan's lifecycle over HTTP."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from servitium.core.models import ChangeRecord
from servitium.exits import services
from servitium.exits.models import DataExport, DisposalRecord, ExitItem, ExitPlan, HandoverRecord
from tests import factories
from tests.base import RecordAPISuite, client, entries_for
from tests.exits.conftest import item, plan


class ExitSuite(RecordAPISuite):
    writer_roles = ["exit-manager"]
    foreign_roles = ["incident-manager", "sms-manager"]


class TestExitPlanAPI(ExitSuite):
    endpoint = "exit-plans"
    model = ExitPlan
    writer_roles = ["exit-agent"]
    deletable = False  # agents do not delete

    def make(self, ctx):
        return plan(ctx.org_a)

    def create_payload(self, ctx):
        return {"customer": ctx.org_a.pk, "kind": "transfer_in_house", "receiving_party": "Own platform team"}

    def invalid_payload(self, ctx):
        return {"customer": ctx.org_a.pk, "notice_received_on": "2027-02-01", "effective_end": "2027-01-01"}

    def update_payload(self, ctx):
        return {"exit_terms": "Clause 9.2: 60 days' notice."}


class TestExitItemAPI(ExitSuite):
    endpoint = "exit-items"
    model = ExitItem

    def make(self, ctx):
        return item(plan(ctx.org_a, items=0), description="Mailbox export")

    def create_payload(self, ctx):
        return {
            "plan": plan(ctx.org_a, items=0).pk,
            "kind": "data",
            "description": "Archive",
            "action": "archive",
        }

    def invalid_payload(self, ctx):
        return {"plan": plan(ctx.org_a, items=0).pk, "kind": "data", "description": "x", "action": "burn"}

    def update_payload(self, ctx):
        return {"note": "Archive to cold storage"}


class TestDataExportAPI(ExitSuite):
    endpoint = "data-exports"
    model = DataExport
    deletable = True  # a queued export may be withdrawn

    def make(self, ctx):
        return services.export_request(actor=None, data={"customer": ctx.org_a})

    def create_payload(self, ctx):
        return {"customer": ctx.org_a.pk}

    def invalid_payload(self, ctx):
        return {"customer": ctx.provider.pk}

    def update_payload(self, ctx):
        return {"plan": plan(ctx.org_a).pk}

    def test_update_logs_the_changed_fields(self, ctx):
        """The one thing staff change on an export is the exit plan it serves (logged as plan_id)."""
        obj = self.make(ctx)
        response = self.api(self.writer(ctx)).patch(self.url(obj), self.update_payload(ctx), format="json")
        assert response.status_code == 200, response.json()
        updates = [r for r in entries_for(obj) if r.action == "update"]
        assert len(updates) == 1 and "plan_id" in updates[0].changes


def _handed_over_plan(ctx):
    made = plan(ctx.org_a)
    contact = factories.person(factories.unique("Lena"), ctx.org_a)
    services.plan_update(actor=None, instance=made, data={"customer_contact": contact})
    services.plan_transition(actor=None, instance=made, transition="agree", data={"agreed_by": contact.pk})
    return ExitPlan.objects.get(pk=made.pk)


class TestHandoverRecordAPI(ExitSuite):
    endpoint = "handover-records"
    model = HandoverRecord
    deletable = False  # evidence

    def make(self, ctx):
        return services.handover_create(
            actor=None,
            data={
                "plan": _handed_over_plan(ctx),
                "receiving_party": "Suite Customer A",
                "handed_over_at": timezone.now(),
                "channel": "download",
            },
        )

    def create_payload(self, ctx):
        return {
            "plan": _handed_over_plan(ctx).pk,
            "receiving_party": "Suite Customer A",
            "handed_over_at": timezone.now().isoformat(),
            "channel": "media",
        }

    def invalid_payload(self, ctx):
        return {"plan": _handed_over_plan(ctx).pk, "receiving_party": "", "channel": "pigeon"}

    def update_payload(self, ctx):
        return {"acknowledgement": "Signed receipt form 2026-12-03"}


class TestDisposalRecordAPI(ExitSuite):
    endpoint = "disposal-records"
    model = DisposalRecord
    deletable = False  # evidence

    def make(self, ctx):
        # A record of the past (the rules of a new disposal are tested in test_rules.py).
        made = _handed_over_plan(ctx)
        return DisposalRecord.objects.create(
            plan=made, scope="Mailbox data and backups", method="crypto_shredding", disposed_at=timezone.now()
        )

    def create_payload(self, ctx):
        made = _handed_over_plan(ctx)
        ExitPlan.objects.filter(pk=made.pk).update(
            status="handed_over", dispose_not_before=timezone.localdate() - dt.timedelta(days=1)
        )
        DataExport.objects.create(
            reference=factories.unique("DEXT").replace(" ", ""),
            customer=ctx.org_a,
            plan=made,
            status="acknowledged",
        )
        return {
            "plan": made.pk,
            "scope": "Mailbox data in storage and backups",
            "includes_backups": True,
            "method": "crypto_shredding",
            "disposed_at": timezone.now().isoformat(),
        }

    def invalid_payload(self, ctx):
        return {"plan": _handed_over_plan(ctx).pk, "scope": "", "method": "fire"}

    def update_payload(self, ctx):
        return {"evidence": "Certificate KMS-2026-118"}


def test_the_plan_moves_through_its_lifecycle_over_http(ctx, staff):
    made = plan(ctx.org_a, contact=staff.contact)
    api = client(staff.manager)
    url = f"/api/v1/exit-plans/{made.pk}/transitions/"
    missing = api.post(url, {"transition": "agree"}, format="json")
    assert missing.status_code == 400 and "agreed_by" in missing.json()
    wrong = factories.person("Someone Else", ctx.org_b)
    assert api.post(url, {"transition": "agree", "agreed_by": wrong.pk}, format="json").status_code == 400
    agreed = api.post(url, {"transition": "agree", "agreed_by": staff.contact.pk}, format="json")
    assert agreed.status_code == 200, agreed.json()
    assert agreed.json()["status"] == "agreed" and agreed.json()["agreed_by"] == staff.contact.pk
    early = api.post(url, {"transition": "complete_handover"}, format="json")
    assert early.status_code == 409
    assert api.post(url, {"transition": "start_handover"}, format="json").json()["status"] == "handing_over"
    blocked = api.post(url, {"transition": "complete_handover"}, format="json")
    assert blocked.status_code == 409 and "acknowledged" in blocked.json()["detail"]
    assert (
        ChangeRecord.objects.filter(
            object_type="exits.exitplan", object_id=made.pk, action="transition"
        ).count()
        == 2
    )
