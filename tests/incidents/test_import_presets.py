"""The shipped presets against exports in the shape each tool writes them: GLPI's ticket list CSV, the
OTRS/Znuny ticket search CSV, Zammad's report download (XLSX), the Jira Service Management CSV and the
ServiceNow incident list CSV. Each ticket is checked field by field (the priority as the source states it,
team, people, channel, times, source reference, the history counts where the export has them), and a
second run changes nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import openpyxl
import pytest

from servitium.incidents.imports import mapping as mapping_files
from servitium.incidents.imports.run import run_import
from servitium.incidents.models import Incident, IncidentEvent

UTC = dt.UTC
NBSP = "\u00a0"


def at(text: str, offset_hours: int = 0) -> dt.datetime:
    """A time as the export writes it (in a zone `offset_hours` ahead of UTC), in UTC."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC) - dt.timedelta(hours=offset_hours)


def imported(source: str) -> dict[str, dict]:
    """Every ticket of the source, as the fields a person checks after the import."""
    tickets = Incident.objects.filter(source=source).select_related(
        "assignment_group", "assignee", "caller", "customer"
    )
    return {
        t.external_id: {
            "title": t.title,
            "status": t.status,
            "priority": t.priority,
            "kind": t.kind,
            "team": t.assignment_group.name if t.assignment_group else None,
            "assignee": t.assignee.name if t.assignee else None,
            "caller": t.caller.name if t.caller else None,
            "customer": t.customer.name,
            "channel": t.channel,
            "opened": t.created,
            "resolved": t.resolved_at,
            "closed": t.closed_at,
            "reopens": t.reopen_count,
            "reassignments": t.reassignment_count,
        }
        for t in tickets
    }


def check(expected: dict[str, dict], got: dict[str, dict]) -> None:
    """Each expected field of each ticket (fields a shape does not carry are left out of `expected`)."""
    assert set(got) == set(expected)
    differences = [
        (ticket, name, got[ticket][name], value)
        for ticket, fields in expected.items()
        for name, value in fields.items()
        if got[ticket][name] != value
    ]
    assert differences == []


def import_twice(preset: str, path: Path, **options) -> dict[str, dict]:
    """Import the file, check the report, import it again and check that nothing changed."""
    spec = mapping_files.load(preset)
    report = run_import(spec, path, create_missing=True, **options)
    assert report.error_count == 0, report.as_text()
    assert report.created == report.tickets
    first = imported(spec.source)
    events = IncidentEvent.objects.count()
    stamps = dict(Incident.objects.values_list("external_id", "updated"))

    again = run_import(spec, path, create_missing=True, **options)

    assert (again.created, again.updated, again.events_created) == (0, 0, 0), again.as_text()
    assert again.unchanged == report.created and again.created_records == {}
    assert imported(spec.source) == first
    assert IncidentEvent.objects.count() == events
    assert dict(Incident.objects.values_list("external_id", "updated")) == stamps
    return first


# --- GLPI ---------------------------------------------------------------------------------------------

GLPI_HEADER = [
    "ID",
    "Title",
    "Entity",
    "Status",
    "Last update",
    "Opening date",
    "Priority",
    "Requester - Requester",
    "Assigned to - Technician",
    "Assigned to - Technician group",
    "Category",
    "Type",
    "Request source",
    "Resolution date",
    "Closing date",
]


def glpi_csv(rows: list[list[str]]) -> bytes:
    """As GLPI 10 writes it: BOM, every value quoted ('"' inside turned into "''"), ';' after each value."""

    def line(values: list[str]) -> str:
        return "".join('"' + v.replace('"', "''") + '";' for v in values) + "\n"

    return ("\ufeff" + line(GLPI_HEADER) + "".join(line(r) for r in rows)).encode("utf-8")


def test_glpi_ticket_list_export(ctx, tmp_path):
    entity = "Root entity > Alder Logistics"
    rows = [
        # ID, title, entity, status, updated, opened, priority, requester, technician, group, category,
        # type, source, solved, closed
        [f"1{NBSP}204", "Imprimante bloquée au 2e étage", entity, "Closed", "2024-03-19 15:41"]
        + ["2024-03-12 10:15", "High", "Müller Jürgen", "Dubois Amélie", "Support N1"]
        + ["Matériel > Imprimante", "Incident", "Phone", "2024-03-12 15:40", "2024-03-19 15:41"],
        [f"1{NBSP}205", "Accès au logiciel de paie", entity, "New", "2024-03-13 08:02"]
        + ["2024-03-13 08:02", "Medium", "Martin Paul", "", "", "Logiciel", "Request", "Helpdesk", "", ""],
        [f"1{NBSP}206", 'Écran "noir" au démarrage', entity, "Solved", "2024-03-14 11:00"]
        + ["2024-03-13 09:30", "Very high", "Nguyễn Thị Lan", "Dubois Amélie", "Support N2"]
        + ["Matériel", "Incident", "E-Mail", "2024-03-14 11:00", ""],
        ["998", "Nouveau badge", entity, "Pending", "2024-03-02 09:00", "2024-03-01 14:00", "Low"]
        + ["Martin Paul", "Lefèvre Marc", "Support N1", "", "Request", "Direct", "", ""],
        [f"1{NBSP}207", "Serveur de fichiers inaccessible", entity, "Processing (assigned)"]
        + ["2024-03-15 07:45", "2024-03-15 07:31", "Major", "Müller Jürgen", "Lefèvre Marc", "Support N2"]
        + ["Réseau", "Incident", "Phone", "", ""],
    ]
    path = tmp_path / "glpi.csv"
    path.write_bytes(glpi_csv(rows))

    got = import_twice("glpi", path, customer=ctx.org_a.name)

    common = {"customer": ctx.org_a.name}
    check(
        {
            "1204": {
                **common,
                "title": "Imprimante bloquée au 2e étage",
                "status": "closed",
                "priority": 2,
                "kind": "incident",
                "team": "Support N1",
                "assignee": "Dubois Amélie",
                "caller": "Müller Jürgen",
                "channel": "phone",
                "opened": at("2024-03-12 10:15"),
                "resolved": at("2024-03-12 15:40"),
                "closed": at("2024-03-19 15:41"),
            },
            "1205": {
                **common,
                "status": "new",
                "priority": 3,
                "kind": "request",
                "team": None,
                "assignee": None,
                "caller": "Martin Paul",
                "channel": "portal",
                "opened": at("2024-03-13 08:02"),
                "resolved": None,
                "closed": None,
            },
            "1206": {
                **common,
                "title": "Écran ''noir'' au démarrage",  # as GLPI writes a double quote
                "status": "resolved",
                "priority": 1,
                "team": "Support N2",
                "assignee": "Dubois Amélie",
                "caller": "Nguyễn Thị Lan",
                "channel": "email",
                "opened": at("2024-03-13 09:30"),
                "resolved": at("2024-03-14 11:00"),
                "closed": None,
            },
            "998": {
                **common,
                "status": "pending_customer",
                "priority": 4,
                "kind": "request",
                "team": "Support N1",
                "assignee": "Lefèvre Marc",
                "channel": "walk_in",
                "opened": at("2024-03-01 14:00"),
            },
            "1207": {
                **common,
                "status": "assigned",
                "priority": 1,  # GLPI's "Major"
                "team": "Support N2",
                "assignee": "Lefèvre Marc",
                "opened": at("2024-03-15 07:31"),
                "resolved": None,
            },
        },
        got,
    )
    assert Incident.objects.filter(external_id="1204").get().category == "Matériel > Imprimante"


# --- OTRS / Znuny -------------------------------------------------------------------------------------

OTRS_HEADER = [
    "Ticket Number",
    "Age",
    "Created",
    "Closed",
    "FirstLock",
    "FirstResponse",
    "State",
    "Priority",
    "Queue",
    "Lock",
    "Owner",
    "UserFirstname",
    "UserLastname",
    "CustomerID",
    "Customer Name",
    "From",
    "Subject",
    "AccountedTime",
    "ArticleTree",
    "SolutionInMin",
    "SolutionDiffInMin",
    "FirstResponseInMin",
    "FirstResponseDiffInMin",
]


def test_otrs_ticket_search_csv(ctx, tmp_path):
    customer = ctx.org_a.name
    rows = [
        ["2024031210000011", "6 d 2 h", "2024-03-12 10:15:00", "2024-03-13 16:40:00", "2024-03-12 10:20:00"]
        + ["2024-03-12 10:31:00", "closed successful", "3 normal", "Service Desk::1st Level", "unlock"]
        + ["jmueller", "Jörg", "Müller", customer, "Zoë Ångström", '"Zoë Ångström" <zoe@alder.example>']
        + ["VPN bricht ständig ab", "15", "", "1825", "", "16", ""],
        ["2024031310000021", "5 d 1 h", "2024-03-13 08:00:00", "", "", "", "new", "4 high"]
        + ["Service Desk::1st Level", "unlock", "skarlsson", "Sven", "Karlsson", "Birch Freight"]
        + ["Piet de Vries", "Piet de Vries <piet@birch.example>", "Drucker offline", "", "", "", "", "", ""],
        ["2024031410000031", "4 d", "2024-03-14 09:00:00", "", "2024-03-14 09:05:00", "2024-03-14 09:05:00"]
        + ["open", "5 very high", "Service Desk::2nd Level", "lock", "jmueller", "Jörg", "Müller", customer]
        + ["Zoë Ångström", "Zoë Ångström <zoe@alder.example>", "Re: Mailserver antwortet nicht"]
        + ["", "", "", "", "5", ""],
        ["2024031510000041", "3 d", "2024-03-15 11:00:00", "", "", "", "pending auto close+", "2 low"]
        + ["Service Desk::1st Level", "unlock", "skarlsson", "Sven", "Karlsson", customer, "Zoë Ångström"]
        + ["zoe@alder.example", "Passwort zurücksetzen", "", "", "", "", "", ""],
        [
            "2024031610000051",
            "2 d",
            "2024-03-16 07:00:00",
            "2024-03-16 12:00:00",
            "",
            "",
            "closed unsuccessful",
        ]
        + ["1 very low", "Junk", "unlock", "jmueller", "Jörg", "Müller", customer, "Zoë Ångström"]
        + ["spam@example.com", "Gewinnspiel", "", "", "", "", "", ""],
    ]
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(OTRS_HEADER)
    writer.writerows(rows)
    path = tmp_path / "ticket_search_2024-03-18_09-00.csv"
    path.write_text(out.getvalue(), encoding="utf-8")

    got = import_twice("otrs", path)

    check(
        {
            "2024031210000011": {
                "title": "VPN bricht ständig ab",
                "status": "closed",
                "priority": 3,
                "team": "Service Desk::1st Level",
                "assignee": "Jörg Müller",
                "caller": "Zoë Ångström",
                "customer": customer,
                "opened": at("2024-03-12 10:15:00"),
                "closed": at("2024-03-13 16:40:00"),
            },
            "2024031310000021": {
                "status": "new",
                "priority": 2,
                "assignee": "Sven Karlsson",
                "caller": "Piet de Vries",
                "customer": "Birch Freight",  # created on request, as the report lists
                "opened": at("2024-03-13 08:00:00"),
                "closed": None,
            },
            "2024031410000031": {
                "status": "in_progress",
                "priority": 1,
                "team": "Service Desk::2nd Level",
                "opened": at("2024-03-14 09:00:00"),
            },
            "2024031510000041": {
                "status": "resolved",  # pending auto close: solved, waiting to be closed
                "priority": 4,
                "resolved": None,  # the export has no solution time
                "closed": None,
            },
            "2024031610000051": {
                "status": "closed",
                "priority": 5,
                "team": "Junk",
                "closed": at("2024-03-16 12:00:00"),
            },
        },
        got,
    )


# --- Zammad -------------------------------------------------------------------------------------------

ZAMMAD_HEADER = ["#", "Title", "State", "Priority", "Group", "Owner", "Customer", "Organization"] + [
    "Create Channel",
    "Sender",
    "Tags",
    "Time Units Total",
    "Created At",
    "Updated At",
    "Closed At",
    "First Response At",
    "Article Count",
]


def zammad_xlsx(rows: list[list]) -> bytes:
    """As Zammad's report download: a title, an empty row, the header, the tickets (times as date cells
    in the report's zone), an empty row and the zone."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Tickets 2024-03"])
    sheet.append([])
    sheet.append(ZAMMAD_HEADER)
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
    sheet.append([])
    sheet.append(["Timezone: Europe/Berlin"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_zammad_report_download(ctx, tmp_path):
    customer = ctx.org_a.name
    day = dt.datetime
    rows = [
        ["31001", "Kein Zugriff auf Teams", "closed", "2 normal", "Users", "Åsa Lindström", "Nicole Braun"]
        + [customer, "email", "Customer", "m365", 2]
        + [day(2024, 3, 12, 10, 15), day(2024, 3, 13, 9, 0), day(2024, 3, 13, 8, 59), None, 4],
        [
            "31002",
            "Laptop startet nicht",
            "open",
            "3 high",
            "2nd Level",
            "-",
            "Jürgen Weiß",
            customer,
            "phone",
        ]
        + ["Customer", "", None, day(2024, 3, 14, 8, 0), day(2024, 3, 14, 8, 0), None, None, 1],
        ["31003", "Neues Headset", "pending close", "1 low", "Users", "Åsa Lindström", "Nicole Braun"]
        + [customer, "web", "Customer", "", None, day(2024, 3, 15, 13, 30), day(2024, 3, 18, 9, 0), None]
        + [None, 3],
        [
            "31004",
            "Frage zur Rechnung",
            "new",
            "2 normal",
            "Users",
            "-",
            "Nicole Braun",
            "",
            "web",
            "Customer",
        ]
        + ["", None, day(2024, 3, 18, 7, 45), day(2024, 3, 18, 7, 45), None, None, 1],
        ["31005", "Drucker im Lager", "closed", "3 high", "2nd Level", "Åsa Lindström", "Jürgen Weiß"]
        + [customer, "phone", "Agent", "", 1, day(2024, 7, 2, 9, 0), day(2024, 7, 3, 17, 0)]
        + [day(2024, 7, 3, 16, 0), None, 2],
    ]
    path = tmp_path / "tickets-2024-03.xlsx"
    path.write_bytes(zammad_xlsx(rows))

    got = import_twice("zammad", path, customer=customer)

    check(
        {
            "31001": {
                "title": "Kein Zugriff auf Teams",
                "status": "closed",
                "priority": 3,
                "team": "Users",
                "assignee": "Åsa Lindström",
                "caller": "Nicole Braun",
                "customer": customer,
                "channel": "email",
                "opened": at("2024-03-12 10:15", 1),  # Berlin, winter time
                "closed": at("2024-03-13 08:59", 1),
            },
            "31002": {
                "status": "in_progress",
                "priority": 2,
                "team": "2nd Level",
                "assignee": None,  # Zammad's "-": nobody
                "caller": "Jürgen Weiß",
                "channel": "phone",
                "opened": at("2024-03-14 08:00", 1),
                "closed": None,
            },
            "31003": {"status": "resolved", "priority": 4, "channel": "portal", "resolved": None},
            "31004": {"status": "new", "customer": customer, "assignee": None},  # no organization: --customer
            "31005": {
                "status": "closed",
                "priority": 2,
                "opened": at("2024-07-02 09:00", 2),  # summer time
                "closed": at("2024-07-03 16:00", 2),
            },
        },
        got,
    )


# --- Jira Service Management --------------------------------------------------------------------------

JIRA_HEADER = [
    "Summary",
    "Issue key",
    "Issue id",
    "Issue Type",
    "Status",
    "Project key",
    "Priority",
    "Resolution",
    "Assignee",
    "Reporter",
    "Created",
    "Updated",
    "Resolved",
    "Component/s",
    "Component/s",
    "Description",
    "Custom field (Impact)",
    "Custom field (Organizations)",
    "Custom field (Request Type)",
    "Custom field (Urgency)",
]


def test_jira_service_management_csv(ctx, tmp_path):
    org = ctx.org_a.name
    rows = [
        ["VPN drops every hour", "HELP-7", "10007", "Incident", "Resolved", "HELP", "Highest", "Done"]
        + ["Søren Kierkegaard", "Ana Núñez", "12/Mar/24 10:15 AM", "13/Mar/24 2:05 PM", "13/Mar/24 2:05 PM"]
        + [
            "Network",
            "VPN",
            "Since the update, the tunnel drops.\nEvery hour, on the hour.",
            "Significant / Large",
        ]
        + [org, "Report a system problem", "High"],
        ["New laptop for Zoë", "HELP-8", "10008", "Service request", "Waiting for support", "HELP", "Low", ""]
        + ["", "Zoë Ångström", "14/Mar/24 9:00 AM", "14/Mar/24 9:00 AM", "", "", "", "", "", org]
        + ["Request new hardware", ""],
        ["Printer jams", "HELP-9", "10009", "Incident", "Closed", "HELP", "Medium", "Won't Do"]
        + ["Søren Kierkegaard", "Ana Núñez", "14/Mar/24 11:20 AM", "15/Mar/24 9:00 AM", "15/Mar/24 9:00 AM"]
        + [
            "",
            "",
            'Says "paper jam", there is none',
            "Minor / Localized",
            org,
            "Report a system problem",
            "Low",
        ],
        ["Mail delayed", "HELP-10", "10010", "Incident", "Work in progress", "HELP", "High", ""]
        + ["Søren Kierkegaard", "Zoë Ångström", "15/Mar/24 4:45 PM", "15/Mar/24 5:00 PM", "", "Email", ""]
        + ["", "Moderate / Limited", org, "Report a system problem", "Medium"],
        [
            "Access to the wiki",
            "HELP-11",
            "10011",
            "Service request",
            "Waiting for customer",
            "HELP",
            "Lowest",
        ]
        + ["", "", "Ana Núñez", "18/Mar/24 8:05 AM", "18/Mar/24 8:30 AM", "", "", "", "", ""]
        + [org, "Get access", ""],
    ]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([JIRA_HEADER, *rows])
    path = tmp_path / "Jira.csv"
    path.write_text(out.getvalue(), encoding="utf-8")

    got = import_twice("jira-service-management", path)

    check(
        {
            "HELP-7": {
                "title": "VPN drops every hour",
                "status": "resolved",
                "priority": 1,
                "kind": "incident",
                "team": None,
                "assignee": "Søren Kierkegaard",
                "caller": "Ana Núñez",
                "customer": org,
                "opened": at("2024-03-12 10:15"),
                "resolved": at("2024-03-13 14:05"),
                "closed": None,
            },
            "HELP-8": {
                "status": "new",
                "priority": 4,
                "kind": "request",
                "assignee": None,
                "caller": "Zoë Ångström",
                "opened": at("2024-03-14 09:00"),
                "resolved": None,
            },
            "HELP-9": {"status": "closed", "priority": 3, "resolved": at("2024-03-15 09:00")},
            "HELP-10": {"status": "in_progress", "priority": 2, "opened": at("2024-03-15 16:45")},
            "HELP-11": {
                "status": "pending_customer",
                "priority": 5,
                "kind": "request",
                "caller": "Ana Núñez",
            },
        },
        got,
    )
    vpn = Incident.objects.get(source="jira", external_id="HELP-7")
    assert vpn.category == "Network"  # the first of the repeated Component/s columns
    assert vpn.description.endswith("Every hour, on the hour.") and vpn.impact == 1
    assert vpn.closure_code == "Done"
    assert Incident.objects.get(external_id="HELP-9").description == 'Says "paper jam", there is none'


# --- ServiceNow incident list -------------------------------------------------------------------------

SNOW_HEADER = [
    "number",
    "short_description",
    "state",
    "priority",
    "impact",
    "urgency",
    "category",
    "contact_type",
    "caller_id",
    "company",
    "assignment_group",
    "assigned_to",
    "opened_at",
    "resolved_at",
    "closed_at",
    "close_code",
    "cmdb_ci",
    "reopen_count",
    "reassignment_count",
    "sys_updated_on",
]


def test_servicenow_incident_list_export(ctx, tmp_path):
    org = ctx.org_a.name
    rows = [
        [
            "INC0010023",
            "Email not syncing on phone",
            "Closed",
            "2 - High",
            "1 - High",
            "2 - Medium",
            "Network",
        ]
        + ["Phone", "Émilie Laurent", org, "Network", "Beth Anglin", "2024-03-12 10:15:42"]
        + ["2024-03-14 09:00:00", "2024-03-17 09:00:05", "Solved (Permanently)", "EXCH-SD-05", "1", "2"]
        + ["2024-03-17 09:00:05"],
        ["INC0010024", "SAP login fails", "In Progress", "3 - Moderate", "2 - Medium", "2 - Medium"]
        + ["Software", "Email", "David Loo", org, "Service Desk", "David Miller", "2024-03-13 08:01:10"]
        + ["", "", "", "", "0", "0", "2024-03-13 09:12:00"],
        # Critical in the source although impact and urgency are low: kept.
        ["INC0010025", "Trading floor down", "Resolved", "1 - Critical", "3 - Low", "3 - Low", "Hardware"]
        + ["Self-service", "Émilie Laurent", org, "Hardware", "Beth Anglin", "2024-03-13 11:00:00"]
        + ["2024-03-13 12:30:00", "", "Workaround provided", "", "0", "1", "2024-03-13 12:30:00"],
        ["INC0010026", "Question about VPN", "New", "4 - Low", "3 - Low", "2 - Medium", "Inquiry / Help"]
        + ["Virtual Agent", "David Loo", org, "", "", "2024-03-15 16:20:00", "", "", "", "", "0", "0"]
        + ["2024-03-15 16:20:00"],
        ["INC0010027", "Badge reader in hall B", "On Hold", "5 - Planning", "3 - Low", "3 - Low", "Hardware"]
        + ["Walk-in", "Jürgen Weiß", org, "Facilities", "Fred Luddy", "2024-03-16 07:00:00", "", ""]
        + ["", "", "0", "3", "2024-03-18 07:00:00"],
        ["INC0010028", "Duplicate of INC0010023", "Canceled", "4 - Low", "3 - Low", "3 - Low", "Network"]
        + ["Email", "Émilie Laurent", org, "Network", "", "2024-03-12 10:20:00", "", "2024-03-12 10:40:00"]
        + ["", "", "0", "0", "2024-03-12 10:40:00"],
    ]
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows([SNOW_HEADER, *rows])
    path = tmp_path / "incident.csv"
    path.write_text(out.getvalue(), encoding="utf-8-sig")

    got = import_twice("servicenow", path)

    check(
        {
            "INC0010023": {
                "title": "Email not syncing on phone",
                "status": "closed",
                "priority": 2,
                "team": "Network",
                "assignee": "Beth Anglin",
                "caller": "Émilie Laurent",
                "customer": org,
                "channel": "phone",
                "opened": at("2024-03-12 10:15:42"),
                "resolved": at("2024-03-14 09:00:00"),
                "closed": at("2024-03-17 09:00:05"),
                "reopens": 1,
                "reassignments": 2,
            },
            "INC0010024": {
                "status": "in_progress",
                "priority": 3,
                "team": "Service Desk",
                "assignee": "David Miller",
                "channel": "email",
                "resolved": None,
                "reopens": 0,
                "reassignments": 0,
            },
            "INC0010025": {
                "status": "resolved",
                "priority": 1,
                "channel": "portal",
                "resolved": at("2024-03-13 12:30:00"),
                "closed": None,
                "reassignments": 1,
            },
            "INC0010026": {
                "status": "new",
                "priority": 4,
                "team": None,
                "assignee": None,
                "channel": "portal",
            },
            "INC0010027": {
                "status": "pending_customer",
                "priority": 5,
                "team": "Facilities",
                "assignee": "Fred Luddy",
                "caller": "Jürgen Weiß",
                "channel": "walk_in",
                "reassignments": 3,
            },
            "INC0010028": {"status": "closed", "closed": at("2024-03-12 10:40:00"), "resolved": None},
        },
        got,
    )
    first = Incident.objects.get(source="servicenow", external_id="INC0010023")
    assert first.reference.startswith("IMP") and first.closure_code == "Solved (Permanently)"
    assert first.affected_ci_name == "EXCH-SD-05"
    critical = Incident.objects.get(external_id="INC0010025")
    assert (critical.impact, critical.urgency, critical.priority) == (3, 3, 1)


@pytest.mark.parametrize("preset", ["glpi", "otrs", "zammad", "jira-service-management", "servicenow"])
def test_a_file_of_another_tool_is_refused_naming_the_missing_column(ctx, tmp_path, preset):
    """A preset given the wrong export stops before anything is written and says which column it lacks."""
    from servitium.incidents.imports.run import ImportStartError

    spec = mapping_files.load(preset)
    path = tmp_path / ("other.xlsx" if spec.format == "xlsx" else "other.csv")
    if spec.format == "xlsx":
        book = openpyxl.Workbook()
        for _ in range(spec.header_row or 1):
            book.active.append(["Key", "Name"])
        book.save(path)
    else:
        path.write_text("Key;Name\nA-1;x\n", encoding="utf-8")
    with pytest.raises(ImportStartError, match=re.escape(spec.columns["ticket"])):
        run_import(spec, path, customer=ctx.org_a.name, create_missing=True)
    assert Incident.objects.count() == 0
