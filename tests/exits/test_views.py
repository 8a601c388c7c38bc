"""The pages of exit and transfer: generated page suites and the exit plan page (inventory with done and
overdue items, exports with their manifest summary and download link, what blocks the next step)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from servitium.exits.models import DataExport, DisposalRecord, ExitItem, ExitPlan, HandoverRecord
from tests.base import RecordUISuite, browser
from tests.exits.conftest import built_export, item, plan
from tests.exits.test_api import TestDisposalRecordAPI, TestHandoverRecordAPI


class ExitPages(RecordUISuite):
    writer_roles = ["exit-manager"]


class TestPlanPages(ExitPages):
    model = ExitPlan

    def make(self, ctx):
        return plan(ctx.org_a)


class TestItemPages(ExitPages):
    model = ExitItem

    def make(self, ctx):
        return item(plan(ctx.org_a, items=0), description="Mailbox export")


class TestExportPages(ExitPages):
    model = DataExport

    def make(self, ctx):
        return built_export(ctx.org_a)


class TestHandoverPages(ExitPages):
    model = HandoverRecord

    def make(self, ctx):
        return TestHandoverRecordAPI().make(ctx)


class TestDisposalPages(ExitPages):
    model = DisposalRecord

    def make(self, ctx):
        return TestDisposalRecordAPI().make(ctx)


def test_the_plan_page_shows_inventory_exports_and_what_blocks(ctx, staff):
    made = plan(ctx.org_a, contact=staff.contact, items=0, exit_terms="")
    late = item(
        made, description="Virtual machines images", due_on=timezone.localdate() - dt.timedelta(days=3)
    )
    item(made, description="Knowledge articles", kind="knowledge", action="archive")
    export = built_export(ctx.org_a, made)
    page = browser(staff.manager).get(made.get_absolute_url())
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-state="overdue"' in text and late.description in text
    assert f"/api/v1/data-exports/{export.pk}/download/" in text
    assert "files," in text and export.sha256 in text
    assert 'id="plan-agree"' in text and staff.contact.name in text
    assert [(str(label), "exit procedure" in reason) for label, reason in page.context["blocked"]] == [
        ("Agreed with the customer", True)
    ]


def test_a_customer_reads_its_own_plan_but_not_anothers(ctx, staff):
    made = plan(ctx.org_a, contact=staff.contact)
    assert browser(ctx.customer_a).get(made.get_absolute_url()).status_code == 200
    assert browser(ctx.customer_b).get(made.get_absolute_url()).status_code == 404


def test_a_customer_acknowledges_receipt_on_the_export_page(ctx, staff):
    from servitium.exits import services

    export = built_export(ctx.org_a)
    services.export_transition(actor=staff.manager, instance=export, transition="hand_over")
    page = browser(ctx.customer_a).get(export.get_absolute_url())
    assert page.status_code == 200
    assert [t.name for t in page.context["transitions"]] == ["acknowledge"]
    assert b'id="export-download"' in page.content
    assert (
        browser(ctx.customer_b).post(export.get_absolute_url(), {"transition": "acknowledge"}).status_code
        == 404
    )
    browser(ctx.customer_a).post(export.get_absolute_url(), {"transition": "acknowledge"})
    export.refresh_from_db()
    assert export.status == "acknowledged" and export.acknowledged_by == ctx.customer_a


def test_the_organization_page_shows_its_exits(ctx, staff):
    made = plan(ctx.org_a)
    page = browser(staff.manager).get(ctx.org_a.get_absolute_url())
    assert page.status_code == 200
    assert made.get_absolute_url().encode() in page.content
    assert b'id="organization-exits"' not in browser(ctx.customer_b).get(ctx.org_a.get_absolute_url()).content
