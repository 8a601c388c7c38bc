"""The pages of internal audit (generated suites), the audit page's checklist and findings, the report page,
the programme's progress, the SMS home tile and the review input; the independence rule in the form."""

from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string
from django.utils import timezone

from servitium.audits import services
from servitium.audits.models import Audit, AuditProgramme, ChecklistItem, Finding, ProgrammeItem
from servitium.core.panels import LIST, panels
from servitium.core.reviewinputs import review_inputs
from tests.base import RecordUISuite, browser

from . import test_api
from .conftest import audit


class TestProgrammePages(RecordUISuite):
    model = AuditProgramme
    writer_roles = ["audit-manager"]

    def make(self, ctx):
        return test_api.a_programme(ctx)


class TestProgrammeItemPages(RecordUISuite):
    model = ProgrammeItem
    writer_roles = ["audit-agent"]

    def make(self, ctx):
        return test_api.TestProgrammeItemAPI().make(ctx)


class TestAuditPages(RecordUISuite):
    model = Audit
    writer_roles = ["audit-agent"]

    def make(self, ctx):
        return test_api.TestAuditAPI().make(ctx)


class TestFindingPages(RecordUISuite):
    model = Finding
    writer_roles = ["audit-agent"]

    def make(self, ctx):
        return test_api.TestFindingAPI().make(ctx)


def test_audit_page_report_and_form_refusal(ctx, team):
    running = services.audit_transition(actor=None, instance=audit(team), transition="start")
    services.finding_create(
        actor=None,
        data={
            "audit": running,
            "grade": "minor_nc",
            "description": "PIRs missing",
            "owner": team.change_manager,
        },
    )
    page = browser(team.auditor_user)
    detail = page.get(f"/sms/audits/{running.pk}/").content.decode()
    nc = Finding.objects.get().nonconformity
    assert nc.reference in detail and 'id="audit-checklist"' in detail and "8.5.1" in detail
    assert 'name="summary"' in detail  # the report step asks for the summary
    item = ChecklistItem.objects.filter(audit=running).first()
    assert page.get(f"/sms/audits/checklist/{item.pk}/edit/").status_code == 200
    report = page.get(f"/sms/audits/{running.pk}/report/").content.decode()
    assert "Audit report" in report and "PIRs missing" in report and "Ivan Independent" in report
    # The form refuses an auditor auditing their own process, naming them.
    form = page.post(
        "/sms/audits/new/",
        {
            "title": "Changes again",
            "scope_areas": "changes",
            "scope_clauses": "iso20000-1:2018#8.5.1",
            "criteria": "The standard",
            "planned_start": "2026-06-01",
            "planned_end": "2026-06-02",
            "lead_auditor": team.change_manager.pk,
        },
    )
    assert form.status_code == 400 and "Chris Change may not audit their own work" in form.content.decode()


def test_programme_progress_home_tile_and_review_input(ctx, team):
    today = timezone.localdate()  # the audit is reported today: the review period must reach it
    done = services.audit_transition(actor=None, instance=audit(team), transition="start")
    ChecklistItem.objects.filter(audit=done).update(verdict="conforms")
    services.audit_transition(actor=None, instance=done, transition="report", data={"summary": "Fine"})
    overdue = services.programme_item_create(
        actor=None, data={"programme": team.programme, "area": "suppliers", "clauses": "", "planned_month": 8}
    )
    page = browser(team.manager).get(f"/sms/audits/programmes/{team.programme.pk}/").content.decode()
    assert "overdue" in page and "suppliers" in page and done.reference in page
    [tile] = [p for p in panels("sms.home", None, team.manager, page=LIST) if "audits" in p["template"]]
    assert tile["context"]["programme"] == team.programme
    inputs = {i.key: i for i in review_inputs()}
    figures = inputs["internal_audits"].context(dt.date(2026, 1, 1), today, team.manager)
    assert [row["audit"] for row in figures["audits"]] == [done] and figures["overdue_items"] == [overdue]
    html = render_to_string(inputs["internal_audits"].template, figures)
    assert done.reference in html and "suppliers" in html
