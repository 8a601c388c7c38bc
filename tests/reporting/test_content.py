"""Done-when of issue 18 for reporting: through the API alone, a monthly report for a customer holds every
content item reporting owns, with the figures worked out by hand from the small data set (conftest.october),
and the customer reads it — never another customer's, never an internal report."""

from __future__ import annotations

from django.core import mail

from servitium.reporting.models import ServiceReport
from tests.base import client

OWN_ITEMS = ("service_targets", "nonconformities", "workload", "after_major_events", "trends", "satisfaction")


def _generate(staff, ctx, **extra):
    api = client(staff.manager)
    created = api.post(
        "/api/v1/report-definitions/",
        {
            "title": "Customer A monthly report",
            "purpose": "Performance of A's services against the SLA, for the monthly service review.",
            "customer": ctx.org_a.pk,
            "frequency": "monthly",
            "owner": staff.owner.pk,
            "audience_people": [staff.owner.pk],
            **extra,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    definition = created.json()
    report = api.post(
        f"/api/v1/report-definitions/{definition['id']}/generate/", {"period": "2025-10"}, format="json"
    )
    assert report.status_code == 201, report.content
    return api, definition, report.json()


def test_a_monthly_report_holds_every_content_item_with_the_hand_computed_figures(ctx, staff, october):
    api, definition, report = _generate(staff, ctx)
    assert report["period_start"] == "2025-10-01" and report["period_end"] == "2025-10-31"
    assert report["status"] == "generated" and len(report["pdf_sha256"]) == 64
    for item in OWN_ITEMS:
        assert report["content_items"][item] == "figures", item
    content = report["content"]

    targets = content["service_targets"]["figures"]
    # A: response met + resolution breached; slow: response met; request: resolution met; late (opened in
    # September): resolution met on 1 October. Customer B's breached clock stays out.
    assert (targets["clocks"], targets["met"], targets["breached"], targets["compliance_pct"]) == (
        5,
        4,
        1,
        80.0,
    )
    mail_rows = {
        (r["service_name"], r["priority"], r["metric"]): (r["clocks"], r["met"], r["breached"])
        for r in targets["rows"]
    }
    assert mail_rows == {
        ("Hosted Mail", 2, "response_time"): (1, 1, 0),
        ("Hosted Mail", 2, "resolution_time"): (1, 0, 1),
        ("Hosted Mail", 3, "response_time"): (1, 1, 0),
        ("Hosted Mail", 3, "resolution_time"): (1, 1, 0),
        ("Backup", 4, "resolution_time"): (1, 1, 0),
    }

    work = content["workload"]["figures"]
    assert (work["incidents_opened"], work["incidents_resolved"]) == (2, 2)
    assert (work["requests_opened"], work["requests_resolved"]) == (1, 1)
    assert work["unresolved_at_end"] == 1  # opened 10 October, resolved 2 November
    by_priority = {r["priority"]: (r["incidents"], r["requests"]) for r in work["by_priority"]}
    assert by_priority == {1: (0, 0), 2: (1, 0), 3: (1, 0), 4: (0, 1), 5: (0, 0)}
    assert {r["channel"]: r["count"] for r in work["by_channel"]} == {"portal": 2, "email": 1}

    events = content["major_events"]["figures"]
    assert events["major_incidents"] == 1 and events["major_rows"][0]["duration_hours"] == 4.0
    assert events["major_rows"][0]["reference"] == october.major.reference
    assert (events["changes_implemented"], events["changes_successful"]) == (2, 1)
    assert (events["changes_failed"], events["changes_emergency"], events["change_success_pct"]) == (
        1,
        1,
        50.0,
    )

    ncs = content["nonconformities"]["figures"]
    assert (ncs["raised"], ncs["open_at_end"]) == (1, 2)

    feedback = content["satisfaction"]["figures"]
    assert (feedback["responses"], feedback["mean_score"]) == (2, 3.75)
    assert (
        feedback["complaints_received"],
        feedback["complaints_resolved"],
        feedback["complaints_open_at_end"],
    ) == (
        1,
        1,
        1,
    )

    months = {r["month"]: r for r in content["trends"]["figures"]["rows"]}
    assert list(months)[0] == "2024-11" and list(months)[-1] == "2025-10" and len(months) == 12
    assert (months["2025-08"]["incidents_opened"], months["2025-09"]["incidents_opened"]) == (1, 1)
    assert (months["2025-10"]["incidents_opened"], months["2025-10"]["requests_opened"]) == (2, 1)
    assert months["2025-10"]["sla_compliance_pct"] == 80.0 and months["2025-09"]["sla_compliance_pct"] is None
    assert months["2025-10"]["major_incidents"] == 1

    # The frozen document: HTML with the server-drawn charts, and the PDF byte for byte.
    html = api.get(f"/api/v1/service-reports/{report['id']}/html/")
    assert html.status_code == 200 and b"<svg" in html.content and b"80.0 %" in html.content
    pdf = api.get(f"/api/v1/service-reports/{report['id']}/pdf/")
    assert (
        pdf.status_code == 200
        and pdf["Content-Type"] == "application/pdf"
        and pdf.content.startswith(b"%PDF")
    )
    import hashlib

    assert hashlib.sha256(pdf.content).hexdigest() == report["pdf_sha256"]


def test_generating_is_idempotent_and_regenerating_supersedes(ctx, staff, october):
    api, definition, report = _generate(staff, ctx)
    again = api.post(
        f"/api/v1/report-definitions/{definition['id']}/generate/", {"period": "2025-10"}, format="json"
    )
    assert again.json()["id"] == report["id"]
    fresh = api.post(
        f"/api/v1/report-definitions/{definition['id']}/generate/",
        {"period": "2025-10", "regenerate": True},
        format="json",
    ).json()
    assert fresh["id"] != report["id"]
    assert api.get(f"/api/v1/service-reports/{report['id']}/").json()["status"] == "superseded"
    bad = api.post(
        f"/api/v1/report-definitions/{definition['id']}/generate/", {"period": "Oct"}, format="json"
    )
    assert bad.status_code == 400 and "period" in bad.json()


def test_the_customer_reads_its_issued_report_only(ctx, staff, october, django_capture_on_commit_callbacks):
    api, definition, report = _generate(staff, ctx)
    url = f"/api/v1/service-reports/{report['id']}/"
    assert client(ctx.customer_a).get(url).status_code == 404  # not issued yet
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        issued = api.post(f"{url}transitions/", {"transition": "issue"}, format="json")
    assert issued.status_code == 200 and issued.json()["status"] == "issued"
    assert issued.json()["mailed_to"] == "rhea@provider.test"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["rhea@provider.test"]
    assert mail.outbox[0].attachments[0][2] == "application/pdf"
    customer = client(ctx.customer_a)
    assert customer.get(url).status_code == 200
    assert customer.get(f"{url}pdf/").status_code == 200
    listed = customer.get("/api/v1/service-reports/").json()
    assert [r["id"] for r in listed["results"]] == [report["id"]]
    assert client(ctx.customer_b).get(url).status_code == 404
    assert client(ctx.customer_b).get(f"{url}pdf/").status_code == 404
    # an internal report (no customer) is never a customer's
    internal = api.post(
        "/api/v1/report-definitions/",
        {"title": "Internal", "purpose": "All customers", "frequency": "monthly"},
        format="json",
    ).json()
    made = api.post(
        f"/api/v1/report-definitions/{internal['id']}/generate/", {"period": "2025-10"}, format="json"
    )
    api.post(
        f"/api/v1/service-reports/{made.json()['id']}/transitions/", {"transition": "issue"}, format="json"
    )
    assert customer.get(f"/api/v1/service-reports/{made.json()['id']}/").status_code == 404
    assert (
        ServiceReport.objects.get(pk=made.json()["id"]).content["service_targets"]["figures"]["clocks"] == 6
    )


def test_a_definition_shows_which_content_items_it_covers(ctx, staff):
    api = client(staff.manager)
    created = api.post(
        "/api/v1/report-definitions/",
        {
            "title": "Targets only",
            "purpose": "SLA",
            "customer": ctx.org_a.pk,
            "sections": ["service_targets", "trends"],
        },
        format="json",
    ).json()
    coverage = created["coverage"]
    assert coverage["covered"] == ["service_targets", "trends"]
    assert "workload" in coverage["missing_required"] and "availability" in coverage["missing"]
    bad = api.post(
        "/api/v1/report-definitions/",
        {"title": "Broken", "purpose": "x", "sections": ["no_such_section"]},
        format="json",
    )
    assert bad.status_code == 400 and "sections" in bad.json()
