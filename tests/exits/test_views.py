"""The pages of exit and transfer: generated page suites and the exit plan page (inventory with done and
overdue items, exports with their manifest summary and download link, what blocks the next step)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from servitium.exits.models import DataExport, DisposalRecord, ExitItem, ExitPlan, HandoverRecord
from tests.base import RecordUISuite, browser, client, sent_to_portal
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
    assert sent_to_portal(browser(ctx.customer_a).get(made.get_absolute_url()))  # staff page: to the portal
    assert client(ctx.customer_a).get(f"/api/v1/exit-plans/{made.pk}/").status_code == 200
    assert client(ctx.customer_b).get(f"/api/v1/exit-plans/{made.pk}/").status_code == 404


def test_a_customer_acknowledges_receipt_on_the_export_page(ctx, staff):
    from servitium.exits import services

    export = built_export(ctx.org_a)
    services.export_transition(actor=staff.manager, instance=export, transition="hand_over")
    # The export page is a staff page (customers are sent to the portal); the customer acknowledges
    # through the API.
    assert sent_to_portal(browser(ctx.customer_a).get(export.get_absolute_url()))
    url = f"/api/v1/data-exports/{export.pk}/transitions/"
    assert [t["name"] for t in client(ctx.customer_a).get(url).json()] == ["acknowledge"]
    assert client(ctx.customer_b).post(url, {"transition": "acknowledge"}, format="json").status_code == 404
    assert client(ctx.customer_a).post(url, {"transition": "acknowledge"}, format="json").status_code == 200
    export.refresh_from_db()
    assert export.status == "acknowledged" and export.acknowledged_by == ctx.customer_a


def test_the_organization_page_shows_its_exits(ctx, staff):
    made = plan(ctx.org_a)
    page = browser(staff.manager).get(ctx.org_a.get_absolute_url())
    assert page.status_code == 200
    assert made.get_absolute_url().encode() in page.content
    assert sent_to_portal(browser(ctx.customer_b).get(ctx.org_a.get_absolute_url()))
