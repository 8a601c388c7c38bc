"""A ServiceNow-style event log written here (one row per ticket update, semicolon-separated, day-first
dates, "2 - Medium" values), in UTF-8 with BOM, cp1252 and UTF-16: histories intact, the source priority
kept, the source number kept as the source reference, a second run changing nothing, and bad files
stopped with errors that name the separator, the encoding and the row.

The expected histories are computed with pandas from the file as written (read_csv with its separator,
encoding and "?" for empty; day-first dates), independently of the importer's code."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest
from django.test import Client

from servitium.incidents.imports import mapping as mapping_files
from servitium.incidents.imports.run import ImportStartError, preview, run_import
from servitium.incidents.models import Incident, IncidentEvent
from servitium.parties.models import Person, Team
from tests import factories

from .eventlog_pandas import histories

HEADER = [
    "number",
    "incident_state",
    "sys_updated_at",
    "assignment_group",
    "assigned_to",
    "priority",
    "impact",
    "urgency",
    "category",
    "subcategory",
    "u_symptom",
    "contact_type",
    "caller_id",
    "opened_at",
    "resolved_at",
    "closed_at",
    "comments",
]
# number, state, updated, group, assignee, priority, impact, urgency, contact, comment
EVENTS = [
    (
        "INC0000045",
        "New",
        "29/2/2016 01:16",
        "Group 56",
        "",
        "3 - Moderate",
        "2 - Medium",
        "2 - Medium",
        "Phone",
        "",
    ),
    (
        "INC0000045",
        "Active",
        "29/2/2016 01:23",
        "Group 56",
        "Resolver 17",
        "3 - Moderate",
        "2 - Medium",
        "2 - Medium",
        "Phone",
        "Prise en charge, café offert",
    ),
    (
        "INC0000045",
        "Active",
        "29/2/2016 08:53",
        "Group 70",
        "Resolver 89",
        "3 - Moderate",
        "2 - Medium",
        "2 - Medium",
        "Phone",
        "",
    ),
    (
        "INC0000045",
        "Resolved",
        "1/3/2016 09:52",
        "Group 70",
        "Resolver 89",
        "3 - Moderate",
        "2 - Medium",
        "2 - Medium",
        "Phone",
        "Fixed (5 €)",
    ),
    (
        "INC0000045",
        "Active",
        "2/3/2016 10:00",
        "Group 70",
        "Resolver 89",
        "3 - Moderate",
        "2 - Medium",
        "2 - Medium",
        "Phone",
        "Came back",
    ),
    (
        "INC0000045",
        "Resolved",
        "3/3/2016 11:30",
        "Group 24",
        "Resolver 31",
        "3 - Moderate",
        "2 - Medium",
        "2 - Medium",
        "Phone",
        "",
    ),
    (
        "INC0000045",
        "Closed",
        "8/3/2016 12:00",
        "Group 24",
        "Resolver 31",
        "3 - Moderate",
        "2 - Medium",
        "2 - Medium",
        "Phone",
        "",
    ),
    # The source says critical although impact and urgency are low: that priority is kept.
    (
        "INC0000047",
        "New",
        "29/2/2016 04:40",
        "Group 24",
        "",
        "1 - Critical",
        "3 - Low",
        "3 - Low",
        "Email",
        "",
    ),
    (
        "INC0000047",
        "Awaiting User Info",
        "29/2/2016 06:10:12",
        "Group 24",
        "Resolver 31",
        "1 - Critical",
        "3 - Low",
        "3 - Low",
        "Email",
        "",
    ),
    # Out of order in the file: the history is read in time order.
    (
        "INC0000047",
        "Active",
        "29/2/2016 05:00:00",
        "Group 24",
        "Resolver 31",
        "1 - Critical",
        "3 - Low",
        "3 - Low",
        "Email",
        "",
    ),
    ("INC0000048", "New", "1/3/2016 07:00", "?", "?", "4 - Low", "3 - Low", "3 - Low", "Self service", ""),
    # "-100" is the log's "no state": not a status, so not a change.
    ("INC0000048", "-100", "1/3/2016 08:00", "?", "?", "4 - Low", "3 - Low", "3 - Low", "Self service", ""),
    # Two updates in the same minute: file order decides (Active, then waiting for the user).
    ("INC0000048", "Active", "1/3/2016 09:00", "?", "?", "4 - Low", "3 - Low", "3 - Low", "Self service", ""),
    (
        "INC0000048",
        "Awaiting User Info",
        "1/3/2016 09:00",
        "?",
        "?",
        "4 - Low",
        "3 - Low",
        "3 - Low",
        "Self service",
        "",
    ),
]
OPENED = {"INC0000045": "29/2/2016 01:16", "INC0000047": "29/2/2016 04:40", "INC0000048": "1/3/2016 07:00"}
RESOLVED = {"INC0000045": "3/3/2016 11:30"}
CLOSED = {"INC0000045": "8/3/2016 12:00"}


def event_log(encoding: str = "utf-8-sig", separator: str = ";") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n")
    writer.writerow(HEADER)
    for number, state, at, group, assignee, prio, impact, urgency, contact, comment in EVENTS:
        writer.writerow(
            [number, state, at, group, assignee, prio, impact, urgency, "Software", "Mail", "Symptom 4"]
            + [
                contact,
                "Caller 2403",
                OPENED[number],
                RESOLVED.get(number, "?") if state == "Resolved" else "?",
            ]
            + [CLOSED.get(number, "?") if state == "Closed" else "?", comment]
        )
    return out.getvalue().encode(encoding)


# What the ServiceNow states become in Servitium, as the person migrating expects it.
SERVITIUM_STATUS = {
    "New": "new",
    "Active": "in_progress",
    "Awaiting User Info": "pending_customer",
    "Resolved": "resolved",
    "Closed": "closed",
}


def expected(path: Path, encoding: str) -> dict[str, dict]:
    """The histories, computed with pandas from the file as written."""
    log = pd.read_csv(path, sep=";", encoding=encoding, dtype=str, na_values=["?"], keep_default_na=True)
    events = pd.DataFrame(
        {
            "ticket": log["number"],
            "order": range(len(log)),
            "time": pd.to_datetime(log["sys_updated_at"], dayfirst=True, format="mixed", utc=True),
            "status": log["incident_state"].mask(log["incident_state"] == "-100"),
            "group": log["assignment_group"],
        }
    )
    return histories(events, resolved={"Resolved"}, closed={"Closed", "Canceled"})


@pytest.fixture
def snow(ctx):
    return mapping_files.load("servicenow-events")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp1252", "utf-16"])
def test_servicenow_event_log_keeps_every_ticket_history(ctx, snow, tmp_path, encoding):
    path = tmp_path / "incident_event_log.csv"
    path.write_bytes(event_log(encoding))

    report = run_import(snow, path, customer=ctx.org_a.name, create_missing=True)

    assert report.error_count == 0, report.as_text()
    assert "separator ';'" in report.files[path.name]
    assert (report.created, report.tickets, report.rows) == (3, 3, len(EVENTS))
    want = expected(path, encoding)
    assert set(want) == set(OPENED)
    for number, history in want.items():
        incident = Incident.objects.get(source="servicenow", external_id=number)
        details = "\n".join(incident.imported_events.values_list("detail", flat=True))
        got = {
            "status_changes": sum(
                1 for line in details.splitlines() if line.startswith("Status: ") and " → " in line
            ),
            "reassignments": incident.reassignment_count,
            "reopens": incident.reopen_count,
            "opened": incident.created,
            "resolved": incident.resolved_at,
            "closed": incident.closed_at,
            "events": incident.imported_events.count(),
            "status": incident.status,
        }
        assert got == {**history, "status": SERVITIUM_STATUS[history["status"]]}, number
        assert incident.reference.startswith("IMP") and incident.reference != number
    assert want["INC0000045"]["reopens"] == 1 and want["INC0000048"]["status_changes"] == 2  # the data is fit
    first = Incident.objects.get(external_id="INC0000045")
    assert (first.status, first.priority, first.impact, first.channel) == ("closed", 3, 2, "phone")
    assert first.assignment_group.name == "Group 24" and first.assignee.name == "Resolver 31"
    assert IncidentEvent.objects.filter(detail__contains="Prise en charge, café offert").exists()
    assert IncidentEvent.objects.filter(detail__contains="Fixed (5 €)").exists()
    # "?" is ServiceNow's empty value: no team, no person named "?"
    assert not Team.objects.filter(name="?").exists() and not Person.objects.filter(name="?").exists()
    assert Incident.objects.get(external_id="INC0000048").channel == "portal"  # "Self service"


def test_the_source_priority_is_kept_unless_the_mapping_says_recompute(ctx, snow, tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes(event_log())
    report = run_import(snow, path, customer=ctx.org_a.name, create_missing=True)
    critical = Incident.objects.get(external_id="INC0000047")
    assert (critical.priority, critical.impact, critical.urgency) == (1, 3, 3)
    assert critical.status == "pending_customer"  # the latest event in time, not the last row
    assert report.priorities_kept >= 1

    recompute = mapping_files.parse(snow.text.replace("priority: keep", "priority: recompute"))
    run_import(recompute, path, customer=ctx.org_a.name, create_missing=True)
    critical.refresh_from_db()
    assert critical.priority == 5  # low x low in the default matrix


def test_importing_twice_changes_nothing(ctx, snow, tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes(event_log())
    run_import(snow, path, customer=ctx.org_a.name, create_missing=True)
    events = IncidentEvent.objects.count()
    stamps = dict(Incident.objects.values_list("external_id", "updated"))

    again = run_import(snow, path, customer=ctx.org_a.name, create_missing=True)

    assert (again.created, again.updated, again.unchanged, again.events_created) == (0, 0, 3, 0)
    assert IncidentEvent.objects.count() == events
    assert dict(Incident.objects.values_list("external_id", "updated")) == stamps
    assert again.created_records == {}


def test_missing_teams_and_people_are_reported_without_create_missing(ctx, snow, tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes(event_log())
    report = run_import(snow, path, customer=ctx.org_a.name)
    assert Incident.objects.count() == 0
    assert report.errors["missing team"].count == 2  # INC0000045 and INC0000047 end with Group 24
    assert "no team named 'Group 24' (--create-missing adds it)" in report.errors["missing team"].first[0][2]
    assert "Caller 2403" in report.errors["missing person"].first[0][2]  # INC0000048's caller
    assert not Team.objects.filter(name__startswith="Group").exists()
    assert not Person.objects.filter(name="Caller 2403").exists()


def test_source_reference_is_shown_searchable_and_the_timeline_has_the_history(ctx, snow, tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes(event_log())
    run_import(snow, path, customer=ctx.org_a.name, create_missing=True)
    incident = Incident.objects.get(external_id="INC0000045")
    browser = Client()
    browser.force_login(ctx.admin)

    page = browser.get(f"/incidents/{incident.pk}/").content.decode()
    assert "INC0000045" in page and incident.reference in page
    assert "imported from servicenow, where it is INC0000045" in page  # beside the opened time
    assert "Reassigned: Group 56 → Group 70" in page and "Reopened" in page
    assert 'data-kind="imported"' in page

    found = browser.get("/api/v1/incidents/?search=INC0000045").json()
    assert [r["external_id"] for r in found["results"]] == ["INC0000045"]
    assert found["results"][0]["reassignment_count"] == 2
    filtered = browser.get("/api/v1/incidents/?external_id=INC0000047&source=servicenow").json()
    assert [r["reference"] for r in filtered["results"]] == [
        Incident.objects.get(external_id="INC0000047").reference
    ]


def test_preview_shows_the_first_tickets_and_writes_nothing(ctx, snow, tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes(event_log())
    plans, report = preview(snow, [(path, "log.csv")])
    assert [p.external_id for p in plans] == ["INC0000045", "INC0000047", "INC0000048"]
    assert (plans[0].status_changes, plans[0].values["reassignment_count"], len(plans[0].events)) == (5, 2, 7)
    assert Incident.objects.count() == 0


# --- bad files ------------------------------------------------------------------------------------


def test_a_header_that_does_not_fit_names_separator_and_encoding(ctx, snow, tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_bytes("number|incident_state|sys_updated_at\nINC1|New|1/1/2020\n".encode("cp1252"))
    comma = mapping_files.parse(
        snow.text.replace("reference_prefix: IMP", "reference_prefix: IMP\ncsv: {separator: ','}")
    )
    with pytest.raises(ImportStartError) as caught:
        run_import(comma, path, customer=ctx.org_a.name)
    message = str(caught.value)
    assert "wrong.csv" in message and "separator ','" in message and "encoding UTF-8" in message
    assert "is the separator right?" in message
    assert Incident.objects.count() == 0


def test_bytes_of_another_encoding_late_in_the_file_name_the_line(ctx, snow, tmp_path):
    body = event_log("utf-8").decode("utf-8")
    filler = "".join(
        f"INC9{n:06d};New;1/1/2020 10:00;;;4 - Low;3 - Low;3 - Low;;;;;;1/1/2020 10:00;;;{'x' * 40}\r\n"
        for n in range(1500)
    )
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        (body + filler).encode("utf-8") + "INC1;New;1/1/2020 10:00;;;;;;;;;;;;;;caf\xe9\r\n".encode("cp1252")
    )
    with pytest.raises(ImportStartError) as caught:
        run_import(snow, path, customer=ctx.org_a.name, create_missing=True)
    message = str(caught.value)
    assert f"line {len(EVENTS) + 1500 + 2}" in message and "encoding UTF-8" in message
    assert "set csv.encoding" in message


def test_bad_rows_are_reported_by_kind_with_their_line(ctx, snow, tmp_path):
    text = event_log("utf-8").decode("utf-8").splitlines()
    text.insert(3, "INC0000099;New;31/31/2016 99:00" + ";" * 14)  # line 4: no such date
    text.insert(5, "INC0000098;New")  # line 6: two columns
    text.insert(6, "INC0000097;Floating;1/3/2016 07:00" + ";" * 14)  # line 7: a status not in the map
    path = tmp_path / "bad.csv"
    path.write_text("\r\n".join(text) + "\r\n", encoding="utf-8")

    report = run_import(snow, path, customer=ctx.org_a.name, create_missing=True)

    assert report.errors["unreadable date"].first == [
        ("bad.csv", 4, "sys_updated_at: '31/31/2016 99:00' is not a date and time this mapping reads")
    ]
    assert report.errors["wrong number of columns"].first[0][:2] == ("bad.csv", 6)
    assert "separator ';'" in report.errors["wrong number of columns"].first[0][2]
    assert report.errors["unknown status"].first[0][:2] == ("bad.csv", 7)
    assert report.created == 3  # the good tickets are imported all the same
    assert "1 x unreadable date" in report.as_text()


def test_a_mapping_file_with_a_mistake_is_refused_with_the_key(ctx):
    with pytest.raises(mapping_files.MappingError, match="values.status"):
        mapping_files.parse("columns: {ticket: n, time: t}\nvalues: {status: {Open: opened}}\n")
    with pytest.raises(mapping_files.MappingError, match="unknown field"):
        mapping_files.parse("columns: {ticket: n, time: t, colour: c}\n")
    with pytest.raises(mapping_files.MappingError, match="priority"):
        mapping_files.parse("columns: {ticket: n, time: t}\npriority: guess\n")


def test_the_command_takes_a_preset_and_writes_the_report(ctx, tmp_path, capsys):
    from django.core.management import call_command

    path = tmp_path / "log.csv"
    path.write_bytes(event_log("cp1252"))
    out = tmp_path / "report.json"
    call_command(
        "import_incidents",
        "--mapping",
        "servicenow-events",
        "--customer",
        ctx.org_a.name,
        "--create-missing",
        "--report",
        str(out),
        str(path),
    )
    printed = capsys.readouterr()
    assert "3 created" in printed.out and "created teams (1): Group 24" in printed.out
    assert "created people (2): Resolver 31, Caller 2403" in printed.out
    assert "done 100%" in printed.err  # not a terminal: percentages, no bar
    assert '"created": 3' in out.read_text()


@pytest.mark.parametrize("preset", sorted(mapping_files.presets()))
def test_every_preset_loads(preset):
    spec = mapping_files.load(preset)
    assert spec.columns["ticket"] and spec.source


def test_browser_import_previews_runs_and_offers_the_report(
    ctx, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    manager = factories.user("evt_mgr", ctx.provider, ["incident-manager"])
    browser = Client()
    browser.force_login(manager)
    upload = lambda: SimpleUploadedFile("log.csv", event_log(), content_type="text/csv")  # noqa: E731
    page = browser.post(
        "/incidents/import/",
        {
            "mapping": "servicenow-events",
            "customer": ctx.org_a.name,
            "create_missing": "on",
            "action": "preview",
            "files": upload(),
        },
    )
    text = page.content.decode()
    assert page.status_code == 200 and 'id="import-preview"' in text and "INC0000045" in text
    assert Incident.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):  # the run is queued; the task runs at commit
        page = browser.post(
            "/incidents/import/",
            {
                "mapping": "servicenow-events",
                "customer": ctx.org_a.name,
                "create_missing": "on",
                "action": "run",
                "files": upload(),
            },
        )
    assert page.status_code == 302 and Incident.objects.count() == 3
    report = browser.get("/incidents/import/report/")
    assert report.status_code == 200 and report["Content-Disposition"].startswith("attachment")
    assert b"3 created" in report.content
    # An edited mapping is used as written; a broken one is a 400 naming the key.
    bad = browser.post(
        "/incidents/import/",
        {
            "mapping": "servicenow-events",
            "mapping_text": "columns: {time: t}",
            "action": "preview",
            "files": upload(),
        },
    )
    assert bad.status_code == 400 and "ticket" in bad.content.decode()


def test_xes_of_another_tool_reads_with_the_generic_preset(ctx, tmp_path):
    path = tmp_path / "log.xes"
    path.write_text(
        '<?xml version="1.0"?><log xmlns="http://www.xes-standard.org/"><trace>'
        '<string key="concept:name" value="T1"/>'
        '<event><string key="concept:name" value="Register"/><string key="org:group" value="Desk"/>'
        '<date key="time:timestamp" value="2012-10-09T14:50:17+02:00"/></event>'
        '<event><string key="concept:name" value="Solve"/><string key="org:group" value="Back office"/>'
        '<date key="time:timestamp" value="2012-10-10T08:00:00+02:00"/></event>'
        "</trace></log>",
        encoding="utf-8",
    )
    report = run_import(mapping_files.load("xes"), path, customer=ctx.org_a.name, create_missing=True)
    assert report.error_count == 0, report.as_text()
    ticket = Incident.objects.get(source="xes", external_id="T1")
    assert ticket.reassignment_count == 1
    assert ticket.created == dt.datetime(2012, 10, 9, 12, 50, 17, tzinfo=dt.UTC)
    assert list(ticket.imported_events.values_list("activity", flat=True)) == ["Register", "Solve"]


def test_large_reads_stay_streaming(tmp_path):
    """The reader yields rows as it goes: the first row arrives before the file is read to its end."""
    from servitium.incidents.imports.reader import open_table

    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("number;sys_updated_at\n")
        for n in range(200_000):
            out.write(f"INC{n};1/1/2020 10:00\n")
    with open_table(Path(path)) as table:
        assert table.header == ["number", "sys_updated_at"]
        first = next(table.rows)
        assert first.line == 2 and table.position[0] < path.stat().st_size / 4


def test_a_bad_reference_prefix_stops_the_import_before_anything_is_written(ctx, snow, tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes(event_log())
    with pytest.raises(ImportStartError, match="capital letters"):
        run_import(snow, path, customer=ctx.org_a.name, create_missing=True, reference_prefix="Inc-1")
    assert Incident.objects.count() == 0 and not Team.objects.filter(name="Group 24").exists()
