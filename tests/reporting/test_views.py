"""The web UI of service reporting: generated page suites, the definition page (content items covered and
missing, generate now), the report page with its frozen body, PDF and actions, the assurance tile, and
what customers see."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from servitium.reporting import services
from servitium.reporting.models import ReportAction, ReportDefinition, ServiceReport
from tests.base import RecordUISuite, browser, sent_to_portal
from tests.reporting.conftest import definition


def _report(ctx, *, issue=True, pdf=False):
    made = services.definition_create(
        actor=None,
        data={"title": "A monthly", "purpose": "SLA", "customer": ctx.org_a, "sections": ["workload"]},
    )
    return services.report_generate(
        actor=None, definition=made, period_start=dt.date(2025, 10, 1), pdf=pdf, issue=issue, mail=False
    )


class TestReportDefinitionPages(RecordUISuite):
    model = ReportDefinition
    writer_roles = ["report-manager"]

    def make(self, ctx):
        return services.definition_create(
            actor=None, data={"title": "Monthly report", "purpose": "SLA performance", "customer": ctx.org_a}
        )


class TestServiceReportPages(RecordUISuite):
    model = ServiceReport
    writer_roles = ["report-manager"]
    has_forms = False

    def make(self, ctx):
        return _report(ctx)


class TestReportActionPages(RecordUISuite):
    model = ReportAction
    writer_roles = ["report-agent"]

    def make(self, ctx):
        return services.action_create(actor=None, data={"report": _report(ctx), "text": "Add a desk agent"})


def test_definition_page_names_missing_items_and_generates_now(ctx, staff, october):
    made = definition(staff, ctx.org_a, sections=["service_targets", "workload"])
    page = browser(staff.manager).get(made.get_absolute_url())
    assert page.status_code == 200
    assert "Trends" in [str(i) for i in page.context["missing_required"]]
    assert b'id="definition-generate"' in page.content
    posted = browser(staff.manager).post(made.get_absolute_url(), {"action": "generate", "period": "2025-10"})
    report = ServiceReport.objects.get(definition=made)
    assert posted.status_code == 302 and posted["Location"] == report.get_absolute_url()
    shown = browser(staff.manager).get(report.get_absolute_url())
    assert (
        shown.status_code == 200
        and b'id="section-service_targets"' in shown.content
        and b"<svg" in shown.content
    )
    # what the report holds, in words, never the frozen figures as raw data
    held = {str(i["label"]): str(i["words"]) for i in shown.context["items"]}
    assert held["Performance against service targets"] in ("figures", "nothing in the period")
    assert held["Trends"] == "not covered"
    labels = {str(d["label"]) for d in shown.context["details"]}
    assert "reference" in labels and not labels & {"content", "content items"}
    pdf = browser(staff.manager).get(reverse("reporting:servicereport_pdf", args=[report.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    bad = browser(staff.manager).post(
        made.get_absolute_url(), {"action": "generate", "period": "soon"}, follow=True
    )
    assert ServiceReport.objects.filter(definition=made).count() == 1
    assert "YYYY-MM" in bad.content.decode()
    # an agent of another area may not generate
    assert browser(ctx.auditor).post(
        made.get_absolute_url(), {"action": "generate", "period": "2025-10"}
    ).status_code in (
        403,
        404,
    )


def test_customers_see_their_issued_reports_not_the_definitions(ctx, staff):
    """Customers read their issued reports in the portal (as PDF through the API); the staff report pages
    and the definitions are not theirs."""
    report = _report(ctx)
    assert (
        report.definition.get_absolute_url().encode()
        in browser(staff.manager).get(report.get_absolute_url()).content
    )
    for user, url in (
        (ctx.customer_a, report.get_absolute_url()),
        (ctx.customer_a, report.definition.get_absolute_url()),
        (ctx.customer_a, "/assurance/"),
    ):
        assert sent_to_portal(browser(user).get(url)), url
    pdf = f"/api/v1/service-reports/{report.pk}/pdf/"
    listed = browser(ctx.customer_a).get("/portal/service-levels/").content.decode()
    assert (pdf in listed) == (report.status == "issued")
    assert report.definition.get_absolute_url() not in listed
    assert browser(ctx.customer_b).get(pdf).status_code == 404
    assert pdf not in browser(ctx.customer_b).get("/portal/service-levels/").content.decode()


def test_assurance_tile_names_a_definition_with_a_missed_month(ctx, staff):
    made = definition(staff, ctx.org_a)
    ReportDefinition.objects.filter(pk=made.pk).update(created=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    page = browser(staff.manager).get("/assurance/")
    assert page.status_code == 200 and b'id="assurance-tile-reporting"' in page.content
    assert made.reference.encode() in page.content
