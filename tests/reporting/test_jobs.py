"""The monthly job, the review input and the sections other apps register (rendered generically)."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.utils.safestring import mark_safe

from servitium.core.models import Attachment
from servitium.core.reportsections import _SECTIONS, register_report_section
from servitium.core.reviewinputs import review_inputs
from servitium.reporting import services
from servitium.reporting.jobs import generate_service_reports
from servitium.reporting.models import ServiceReport
from tests.reporting.conftest import definition


def test_the_monthly_job_issues_last_months_report_once(ctx, staff, django_capture_on_commit_callbacks):
    monthly = definition(staff, ctx.org_a)
    definition(staff, ctx.org_b, frequency="on_demand")
    quarterly = definition(staff, ctx.org_b, frequency="quarterly")
    with django_capture_on_commit_callbacks(execute=True):
        made = generate_service_reports.call_local(today=dt.date(2025, 11, 1))
    assert len(made) == 2
    report = ServiceReport.objects.get(definition=monthly)
    assert (report.period_start, report.period_end, report.status) == (
        dt.date(2025, 10, 1),
        dt.date(2025, 10, 31),
        "issued",
    )
    assert ServiceReport.objects.get(definition=quarterly).period_start == dt.date(2025, 7, 1)
    assert len(mail.outbox) == 2 and report.pdf_sha256
    assert generate_service_reports.call_local(today=dt.date(2025, 11, 1)) == []  # idempotent
    assert ServiceReport.objects.count() == 2


def test_review_input_counts_reports_issued_and_actions_open(ctx, staff):
    made = definition(staff, ctx.org_a)
    report = services.report_generate(
        actor=None, definition=made, period_start=dt.date(2025, 10, 1), pdf=False, issue=True, mail=False
    )
    services.action_create(
        actor=None, data={"report": report, "text": "Add an agent", "due_date": dt.date(2020, 1, 1)}
    )
    found = next(i for i in review_inputs() if i.key == "reporting")
    assert "service_performance" in found.topics
    today = dt.date.today()
    figures = found.context(today - dt.timedelta(days=30), today, staff.manager)
    assert figures["issued"] == 1 and figures["actions_open"] == 1 and len(figures["actions_overdue"]) == 1


def test_another_apps_section_is_rendered_generically(ctx, staff):
    def build(scope):
        return {
            "raised": f"{scope.customer_id}:{scope.start:%Y-%m}",
            "open_at_end": 0,
            "rows": [],
            "chart": mark_safe('<svg xmlns="http://www.w3.org/2000/svg"></svg>'),  # noqa: S308
        }

    register_report_section(
        "test_capacity",
        "Capacity",
        build,
        items=("capacity",),
        template="reporting/sections/nonconformities.html",
        order=45,
    )
    try:
        made = definition(staff, ctx.org_a)
        assert "capacity" not in services.document.item_coverage(["workload"])["covered"]
        report = services.report_generate(
            actor=None, definition=made, period_start=dt.date(2025, 10, 1), pdf=False, mail=False
        )
        assert report.content_items["capacity"] == "figures"
        figures = report.content["test_capacity"]["figures"]
        assert figures["raised"] == f"{ctx.org_a.pk}:2025-10" and "chart" not in figures  # drawn, not data
        assert f"{ctx.org_a.pk}:2025-10" in report.html
    finally:
        _SECTIONS.pop("test_capacity", None)


def test_a_report_without_its_pdf_stays_generated_and_the_next_run_finishes_it(ctx, staff, monkeypatch):
    monthly = definition(staff, ctx.org_a)
    other = definition(staff, ctx.org_b)
    real_batch = services.document.pdf_batch

    def first_fails(expected):
        batch = real_batch(expected)
        rendered = batch.results
        batch.results = lambda: ["OSError: the disk was full", *rendered()[1:]]
        return batch

    monkeypatch.setattr(services.document, "pdf_batch", first_fails)
    made = generate_service_reports.call_local(today=dt.date(2025, 11, 1))
    stuck = ServiceReport.objects.get(definition=monthly)
    assert made == [ServiceReport.objects.get(definition=other).reference]
    assert stuck.status == "generated" and not stuck.pdf_sha256
    assert not Attachment.objects.filter(object_id=stuck.pk, name=f"{stuck.reference}.pdf").exists()

    monkeypatch.setattr(services.document, "pdf_batch", real_batch)
    assert generate_service_reports.call_local(today=dt.date(2025, 11, 1)) == [stuck.reference]
    stuck.refresh_from_db()
    assert stuck.status == "issued" and stuck.pdf_sha256
    assert ServiceReport.objects.filter(definition=monthly).count() == 1


def test_a_section_whose_query_fails_is_named_and_the_later_sections_still_count(ctx, staff):
    # On PostgreSQL a failed query aborts the transaction: each section runs in its own savepoint.
    from django.db import connection

    def broken(scope):
        with connection.cursor() as cursor:
            cursor.execute("SELECT no_such_column FROM reporting_servicereport")
        return {}

    register_report_section(
        "test_broken",
        "Broken",
        broken,
        items=("capacity",),
        template="reporting/sections/nonconformities.html",
        order=1,
    )
    try:
        report = services.report_generate(
            actor=None, definition=definition(staff, ctx.org_a), period_start=dt.date(2025, 10, 1), pdf=False
        )
    finally:
        _SECTIONS.pop("test_broken", None)
    assert report.content["test_broken"]["error"]
    failed_later = [k for k, part in report.content.items() if part["error"] and k != "test_broken"]
    assert not failed_later, failed_later
    assert report.content["workload"]["figures"] is not None
