"""The web UI: lists, detail with history, edit through services, CSV and XLSX export, tenancy (404), phone
layout."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from servitium.core.models import ChangeRecord
from servitium.incidents import services as incident_services
from tests import factories
from tests.base import client, sent_to_portal
from tests.sheets import FORMATS, exported_rows, workbook


def login(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def test_login_required():
    response = Client().get("/catalog/services/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_site_has_an_icon_linked_from_every_page_and_at_favicon_ico(ctx):
    page = login(ctx.admin).get("/")
    assert b'rel="icon"' in page.content and b"favicon.svg" in page.content
    found = Client().get("/favicon.ico")  # asked for by browsers and tools before anyone signs in
    assert found.status_code == 301 and found["Location"].endswith("servitium/favicon.svg")


def test_home_and_lists(ctx):
    factories.service("Email", customers=[ctx.org_a])
    factories.service("Backup", customers=[ctx.org_a])
    browser = login(ctx.admin)
    home = browser.get("/")
    assert home.status_code == 200 and b'id="dashboard-management"' in home.content
    for url in ("/catalog/services/", "/parties/organizations/", "/parties/people/", "/parties/teams/"):
        assert browser.get(url).status_code == 200, url
    listing = browser.get("/catalog/services/", {"search": "mail"})
    assert b"Email" in listing.content and b"Backup" not in listing.content


def test_service_detail_shows_history(ctx):
    svc = factories.service("Storage", customers=[ctx.org_a])
    browser = login(ctx.admin)
    page = browser.get(f"/catalog/services/{svc.pk}/")
    assert page.status_code == 200
    assert b"History" in page.content and b"Create" in page.content


def test_edit_through_the_form_logs_web_context(ctx):
    svc = factories.service("Compute")
    browser = login(ctx.admin)
    response = browser.post(f"/catalog/services/{svc.pk}/edit/", {"name": "Compute", "description": "VMs"})
    assert response.status_code == 302
    entry = ChangeRecord.objects.filter(
        object_type="catalog.service", object_id=svc.pk, action="update"
    ).get()
    assert entry.context == "web" and entry.changes == {"description": ["", "VMs"]}


def test_invalid_form_shows_errors_and_saves_nothing(ctx):
    browser = login(ctx.admin)
    before = ChangeRecord.objects.count()
    response = browser.post("/catalog/services/new/", {"name": ""})
    assert response.status_code == 400
    assert b"invalid-feedback" in response.content
    assert ChangeRecord.objects.count() == before


def test_transition_button(ctx):
    svc = factories.service("Planned", status="pipeline")
    browser = login(ctx.admin)
    page = browser.get(f"/catalog/services/{svc.pk}/")
    assert b'value="go_live"' in page.content
    browser.post(f"/catalog/services/{svc.pk}/", {"transition": "go_live"})
    svc.refresh_from_db()
    assert svc.status == "live"


def test_customers_are_sent_to_the_portal_and_read_only_their_own_records(ctx):
    """The staff pages send customer users to the portal (servitium.portal); the API and the portal show
    them their own organization's records, and another organization's answer 404."""
    own = factories.service("Own", customers=[ctx.org_a])
    other = factories.service("Theirs", customers=[ctx.org_b])
    browser = login(ctx.customer_a)
    for page in (f"/catalog/services/{own.pk}/", f"/catalog/services/{own.pk}/edit/", "/catalog/services/"):
        assert sent_to_portal(browser.get(page)), page
    api = client(ctx.customer_a)
    assert api.get(f"/api/v1/services/{other.pk}/").status_code == 404
    assert api.get(f"/api/v1/organizations/{ctx.org_b.pk}/").status_code == 404
    assert [s["name"] for s in api.get("/api/v1/services/").json()["results"]] == ["Own"]
    report_form = browser.get("/portal/report/").content
    assert b"Own" in report_form and b"Theirs" not in report_form


@pytest.mark.parametrize("kind", FORMATS)
def test_a_customer_exports_only_its_organizations_rows(ctx, kind):
    factories.service("Own", customers=[ctx.org_a])
    factories.service("Theirs", customers=[ctx.org_b])
    factories.service("Nobody's")
    # Exports are staff pages: a customer asking for one is sent to the portal, nothing is exported.
    assert sent_to_portal(login(ctx.customer_a).get("/catalog/services/", {"export": kind}))
    everything = exported_rows(login(ctx.admin).get("/catalog/services/", {"export": kind}), kind)
    assert sorted(row[2] for row in everything[1:]) == ["Nobody's", "Own", "Theirs"]


@pytest.mark.parametrize("kind", FORMATS)
def test_export_neutralises_formulas(ctx, kind):
    factories.service("=cmd|' /C calc'!A0")
    factories.service('=HYPERLINK("http://evil.example/","click")')
    factories.service("+1", description="x")
    response = login(ctx.admin).get("/catalog/services/", {"export": kind})
    assert response.status_code == 200
    rows = exported_rows(response, kind)
    assert rows[0][:3] == ["ID", "reference", "name"]
    names = sorted(row[2] for row in rows[1:])
    if kind == "csv":
        assert response["Content-Type"].startswith("text/csv")
        assert names == ["'+1", '\'=HYPERLINK("http://evil.example/","click")', "'=cmd|' /C calc'!A0"]
        return
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="services.xlsx"' in response["Content-Disposition"]
    # in a workbook the text is kept as it is, stored as text: never a formula
    assert names == ["+1", '=HYPERLINK("http://evil.example/","click")', "=cmd|' /C calc'!A0"]
    sheet = workbook(response).worksheets[0]
    cells = [row[2] for row in sheet.iter_rows(min_row=2)]
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)


def test_xlsx_export_is_a_typed_sheet_with_a_frozen_bold_header(ctx):
    from servitium.capacity import services as capacity

    metric = capacity.metric_create(
        actor=None,
        data={
            "service": factories.service("Measured"),
            "name": "CPU use",
            "unit": "%",
            "direction": "higher_is_worse",
            "warning_threshold": Decimal("70"),
            "critical_threshold": Decimal("90"),
        },
    )
    at = dt.datetime(2026, 3, 1, 22, 30, tzinfo=dt.UTC)
    capacity.measurements_record(actor=None, rows=[{"metric": metric.pk, "measured_at": at, "value": "42.5"}])
    from servitium.parties.models import User

    User.objects.filter(pk=ctx.admin.pk).update(time_zone="Asia/Tokyo")
    response = login(ctx.admin).get(reverse("capacity:measurement_list"), {"export": "xlsx"})
    book = workbook(response)
    sheet = book.worksheets[0]
    assert [s.title for s in book.worksheets] == ["Measurements"]
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header == ["ID", "metric", "measured at", "value"]
    assert all(c.font.b for c in sheet[1])
    assert sheet.column_dimensions["C"].width >= len("measured at")
    ident, name, measured, value = sheet[2]
    assert ident.data_type == "n" and name.data_type == "s" and name.value.startswith("CPU use")
    # the reader's time zone, as the pages show it: 22:30 UTC is 07:30 the next morning in Tokyo
    assert measured.is_date and measured.value == dt.datetime(2026, 3, 2, 7, 30)
    assert value.data_type == "n" and value.value == 42.5
    assert at.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo")).replace(tzinfo=None) == measured.value


@pytest.mark.parametrize("kind", FORMATS)
def test_export_applies_the_lists_filters_and_search(ctx, kind):
    factories.service("Alpha live")
    factories.service("Beta planned", status="pipeline")
    factories.service("Gamma planned", status="pipeline")
    browser = login(ctx.admin)
    planned = exported_rows(browser.get("/catalog/services/", {"export": kind, "status": "pipeline"}), kind)
    assert sorted(row[2] for row in planned[1:]) == ["Beta planned", "Gamma planned"]
    searched = exported_rows(
        browser.get("/catalog/services/", {"export": kind, "status": "pipeline", "search": "gamma"}), kind
    )
    assert [row[2] for row in searched[1:]] == ["Gamma planned"]
    refused = browser.get("/catalog/services/", {"export": kind, "ordering": "no_such_field"})
    assert refused.status_code == 400 and refused["Content-Type"].startswith("text/html")


def test_list_page_links_both_exports_with_its_filters(ctx):
    page = login(ctx.admin).get("/catalog/services/", {"status": "live"}).content.decode()
    assert "status=live&amp;export=csv" in page and "status=live&amp;export=xlsx" in page


def test_htmx_request_gets_the_table_only(ctx):
    factories.service("Partial")
    browser = login(ctx.admin)
    response = browser.get("/catalog/services/", HTTP_HX_REQUEST="true")
    assert b"<table" in response.content and b'id="sidebar"' not in response.content


def test_pages_declare_a_phone_viewport(ctx):
    page = login(ctx.admin).get("/catalog/services/")
    assert b'name="viewport" content="width=device-width' in page.content


def test_times_are_shown_in_the_users_time_zone(ctx):
    from servitium.parties.models import User

    factories.service("Clocked")
    User.objects.filter(pk=ctx.admin.pk).update(time_zone="Asia/Tokyo")
    ctx.admin.refresh_from_db()
    page = login(ctx.admin).get("/").content.decode()
    from django.utils import timezone

    entry = ChangeRecord.objects.latest("id")
    from django.utils.formats import date_format

    local = timezone.localtime(entry.timestamp, timezone=__import__("zoneinfo").ZoneInfo("Asia/Tokyo"))
    utc = timezone.localtime(entry.timestamp, timezone=__import__("zoneinfo").ZoneInfo("UTC"))
    # Exactly as the template formats it (Django drops ":00" minutes), in Tokyo time and not in UTC.
    assert date_format(local, "SHORT_DATETIME_FORMAT") in page
    assert date_format(utc, "SHORT_DATETIME_FORMAT") not in page


def test_structured_values_read_as_lines():
    from servitium.core.views import humanize_json

    value = {"expected_volumes": [{"measure": "calls", "value": 5}], "peak_periods": ["month end"]}
    assert humanize_json(value) == "expected volumes: measure: calls; value: 5\npeak periods: month end"
    assert (
        humanize_json([{"kind": "force_majeure", "description": "storms"}])
        == "kind: force_majeure; description: storms"
    )
    assert humanize_json([]) == ""


def test_a_page_nobody_may_see_and_an_action_not_allowed_answer_in_the_sites_own_pages(ctx):
    """A record of another organization answers 404 in the site's layout (menu, sign-out, a way back) without
    saying whether it exists; an action the roles do not allow answers 403 naming what is missing; a
    server error has a page of its own that needs no request."""
    from django.test import RequestFactory
    from django.views.defaults import server_error

    theirs = factories.service("Theirs", customers=[ctx.org_b])
    ticket = incident_services.incident_create(
        actor=None, data={"customer": ctx.org_b, "title": "Theirs down"}
    )
    nosy = factories.user("nosy_agent", ctx.provider, ["supplier-agent"])
    hidden = login(nosy).get(f"/incidents/{ticket.pk}/")
    html = hidden.content.decode()
    assert hidden.status_code == 404 and "This page is not here" in html and "Theirs down" not in html
    assert "servitium.css" in html and 'href="/"' in html
    assert "/static/" in login(nosy).get("/no-such-page/").content.decode()  # styled too
    # A customer meets the portal's own page for another organization's ticket.
    portal_page = login(ctx.customer_a).get(f"/portal/tickets/{ticket.pk}/")
    assert portal_page.status_code == 404 and "portal.css" in portal_page.content.decode()
    assert (
        "Theirs down" not in portal_page.content.decode() and theirs.name not in portal_page.content.decode()
    )
    anonymous = Client().get("/no-such-page/")
    assert anonymous.status_code == 404 and "Sign in" in anonymous.content.decode()
    agent = factories.user("plain_agent", ctx.provider, ["incident-agent"])
    refused = login(agent).get("/incidents/import/")
    text = refused.content.decode()
    assert refused.status_code == 403 and "incident manager role" in text and "servitium.css" in text
    crashed = server_error(RequestFactory().get("/"))
    assert crashed.status_code == 500 and b"Something went wrong" in crashed.content


def test_xlsx_cells_for_values_a_workbook_cannot_hold_as_they_are():
    from servitium.core.exports import xlsx_response
    from tests.sheets import body

    long_text = "x" * 40_000
    rows = [
        ["bell\x07 and escape\x1b", Decimal("NaN"), dt.date(1850, 1, 1), long_text, "#N/A", True, None],
        ["-2", float("inf"), dt.time(9, 30), "@SUM(A1)", "\tTab", False, 7],
    ]
    header = ["text", "number", "when", "long", "error-like", "flag", "count"]
    response = xlsx_response("odd", "Odd: [values]?", header, rows)
    import io

    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(body(response))).worksheets[0]
    assert sheet.title == "Odd   values"
    first, second = list(sheet.iter_rows(min_row=2))
    assert first[0].value == "bell\ufffd and escape\ufffd" and first[1].value == "NaN"
    assert first[2].value == "1850-01-01" and len(first[3].value) == 32767
    assert (first[4].value, first[4].data_type) == ("#N/A", "s")  # text, not an error value
    assert first[5].value is True and first[6].value is None
    assert [(c.value, c.data_type) for c in second[:2]] == [("-2", "s"), ("inf", "s")]
    assert second[2].value == dt.time(9, 30) and second[6].value == 7
    assert all(c.data_type == "s" and c.quotePrefix for c in (second[0], second[3], second[4]))


def test_workbook_cells_read_as_csv_text():
    from types import SimpleNamespace

    from servitium.core.sheets import cell_text

    def cell(value, number_format="General"):
        return SimpleNamespace(value=value, number_format=number_format)

    assert [cell_text(cell(v)) for v in (None, 3.0, 2.5, 1e20, 7, True, False, "x")] == [
        "",
        "3",
        "2.5",
        "1e+20",
        "7",
        "true",
        "false",
        "x",
    ]
    midnight = dt.datetime(2026, 3, 1)
    assert cell_text(cell(midnight, "mm-dd-yy")) == "2026-03-01"
    assert cell_text(cell(midnight, "yyyy-mm-dd hh:mm")) == "2026-03-01 00:00:00"
    assert (
        cell_text(cell(dt.datetime(2026, 3, 1, 11, 59, 59, 999_600), "d/m/yyyy h:mm"))
        == "2026-03-01 12:00:00"
    )
    assert cell_text(cell(dt.time(8, 15))) == "08:15:00"
