"""Importing incident history with the `bpic2014` and `generic` presets: the BPI Challenge 2014 sample
(Rabobank Group ICT, 4TU.ResearchData, DOI 10.4121/uuid:c3e5d162-0cfd-4bb0-bd82-af5268819c35; the sample
from the MIT-licensed R package eventdataR) as a tickets file and an event log, the generic one-row-per-
ticket layout, row errors reported alone, idempotency, the command and the browser's import page (one
to five files with a preset, queued as a run)."""

from __future__ import annotations

import csv
import datetime as dt
import html
import os
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError

from servitium import cli
from servitium.core import changelog, context
from servitium.core import services as core_services
from servitium.core.models import ChangeRecord
from servitium.incidents.imports import mapping as mapping_files
from servitium.incidents.imports import writer as import_writer
from servitium.incidents.imports.api import import_incidents
from servitium.incidents.imports.run import ImportStartError
from servitium.incidents.models import Incident, IncidentEvent, IncidentImportRun, SlaClock
from servitium.parties.models import Organization, Team
from tests import factories
from tests.sheets import FORMATS, csv_as_xlsx, xlsx_bytes

BPI_DIR = Path(os.environ.get("SERVITIUM_BPIC2014_DIR", "/work/shared/data/bpic2014_sample"))
BPI_CASES = BPI_DIR / "BPIC14_incident_case_attributes.csv"
BPI_LOG = BPI_DIR / "BPIC14_incident_log.csv"
IMPORT_CONTEXT = "import" if "import" in context.CONTEXTS else "shell"

CASE_HEADER = (
    "ci_name_aff,ci_type_aff,ci_subtype_aff,service_component_wbs_aff,incident_id,status,impact,urgency,"
    "priority,category,km_number,alert_status,x_reassignments,open_time,reopen_time,resolved_time,close_time,"
    "handle_time_hours,closure_code,x_related_interactions,related_interaction,x_related_incidents,"
    "x_related_changes,related_change,ci_name_cby,ci_type_cby,ci_subtype_cby,servicecomp_wbs_cby"
)
LOG_HEADER = (
    "incident_id,data_stamp,incident_activity_number,incident_activity_type,assignment_group,km_number,"
    "interaction_id,lifecycle"
)


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def csv_rows(path: Path) -> int:
    with path.open(newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def import_page(client, capture, files: list, action: str = "run", **fields):
    """Post the import page's form (a preset, the files) and, for a run, carry out the queued task; the
    page answered (a preview, a 400, or the run's page after the redirect)."""
    data = {"mapping": "generic", "action": action, "files": files, **fields}
    with capture(execute=True):
        page = client.post("/incidents/import/", data)
    if page.status_code == 302:
        return client.get(page["Location"])
    return page


def imported_changes() -> int:
    return ChangeRecord.objects.filter(object_type="incidents.incident").count()


@pytest.mark.django_db
@pytest.mark.skipif(not BPI_CASES.exists(), reason="BPI Challenge 2014 sample not available")
def test_bpi_sample_imports_completely_and_a_second_run_changes_nothing():
    calls = []
    # The event log first: files are recognised by their header, not by their order.
    report = import_incidents("bpic2014", [BPI_LOG, BPI_CASES], progress=lambda f, p: calls.append((f, p)))
    assert report.errors == []
    assert (report.created, report.updated, report.unchanged) == (4000, 0, 0)
    assert report.events_created == csv_rows(BPI_LOG) == 39911
    assert report.files[str(BPI_LOG)].endswith("(event log)")
    assert report.files[str(BPI_CASES)].endswith("(tickets file)")
    assert report.created_records == {"organizations": ["Rabobank Group ICT"]}
    assert ("writing" in {phase for _f, phase in calls}) and calls[-1] == (1.0, "done")
    assert Incident.objects.filter(source="bpic2014").count() == 4000
    assert IncidentEvent.objects.count() == 39911
    assert not SlaClock.objects.exists()  # history: no clocks started
    entries = ChangeRecord.objects.filter(object_type="incidents.incident")
    assert entries.count() == 4000
    assert set(entries.values_list("action", "context").distinct()) == {("create", IMPORT_CONTEXT)}
    # every imported event is logged too, one entry each
    events = ChangeRecord.objects.filter(object_type="incidents.incidentevent")
    assert events.count() == 39911 and set(events.values_list("action", flat=True).distinct()) == {"create"}

    rabobank = Organization.objects.get(name="Rabobank Group ICT")
    assert rabobank.kind == Organization.Kind.CUSTOMER
    incident = Incident.objects.get(source="bpic2014", external_id="IM0000013")
    assert incident.customer == rabobank
    assert incident.reference.startswith("INC")
    assert incident.title == "Incident on WBA000124"
    assert incident.affected_ci_name == "WBA000124"
    assert incident.category == "incident"
    assert incident.status == Incident.Status.CLOSED
    assert incident.closure_code == "Other"
    assert (incident.impact, incident.urgency, incident.priority) == (3, 3, 5)  # BPI 4/4 -> low/low -> P5
    assert (incident.reopen_count, incident.reassignment_count) == (0, 4)  # x_reassignments
    # Amsterdam local time: summer time (UTC+2) in August 2012, winter time (UTC+1) in November 2013.
    assert incident.created == utc(2012, 8, 10, 9, 27, 59)
    assert incident.resolved_at == utc(2013, 11, 8, 12, 54, 7)
    assert incident.closed_at == utc(2013, 11, 8, 12, 54, 12)
    assert "Knowledge article: KM0000611" in incident.description
    events = list(incident.imported_events.order_by("occurred_at", "external_id"))
    assert len(events) == 6
    assert (events[0].activity, events[0].group, events[0].external_id) == (
        "Update from customer",
        "TEAM0002",
        "001A3970723",
    )
    assert events[0].occurred_at == utc(2013, 2, 13, 11, 3, 35)
    assert "Assigned to TEAM0002" in events[0].detail and "km_number: KM0000611" in events[0].detail
    assert not Team.objects.filter(name="TEAM0002").exists()  # groups are kept as text only

    request = Incident.objects.get(external_id="IM0000048")
    assert request.kind == Incident.Kind.REQUEST
    assert request.title == "Request for information on SBA000662"
    assert request.reopen_count == 1
    assert "Related interaction: several" in request.description  # '#MULTIVALUE'

    references = dict(Incident.objects.values_list("external_id", "reference"))
    changes = imported_changes()
    again = import_incidents("bpic2014", [BPI_CASES, BPI_LOG])
    assert again.errors == []
    assert (again.created, again.updated, again.unchanged, again.events_created) == (0, 0, 4000, 0)
    assert Incident.objects.count() == 4000
    assert IncidentEvent.objects.count() == 39911
    assert imported_changes() == changes
    assert dict(Incident.objects.values_list("external_id", "reference")) == references


def test_bpi_bad_rows_are_reported_with_their_line_and_the_rest_is_imported(db, tmp_path):
    cases = write(
        tmp_path / "cases.csv",
        CASE_HEADER,
        "WBA000124,application,Web Based Application,WBS000088,IM0000013,Closed,4,4,4,incident,KM0000611,"
        "closed,4,2012-08-10 11:27:59,,2013-11-08 13:54:07,2013-11-08 13:54:12,3383.43,Other,1,SD0000031,,,,"
        "SUB000508,subapplication,Web Based Application,WBS000162",
        "SBA000001,application,Server Based Application,WBS000071,IM0000002,Closed,9,5,5,incident,KM1,closed,"
        "0,2013-02-06 14:07:43,,,2013-10-17 14:00:29,1.0,Other,1,SD1,,,,,,,",
        "SBA000002,application,Server Based Application,WBS000071,IM0000003,Closed,5,5,5,incident,KM1,closed,"
        "0,yesterday,,,2013-10-17 14:00:29,1.0,Other,1,SD1,,,,,,,",
        "#MULTIVALUE,application,Server Based Application,WBS000071,IM0000004,Closed,,3,5,,KM1,closed,"
        "0,2013-03-31 02:30:00,,,2013-10-27 02:30:00,1.0,,1,SD1,,,,,,,",
        "too,few,columns",
    )
    log = write(
        tmp_path / "log.csv",
        LOG_HEADER,
        "IM0000013,2013-02-13 12:03:35,001A3970723,Update from customer,TEAM0002,KM0000611,SD31,complete",
        "IM0000013,2013-02-13 12:03:36,001A3970723,Update from customer,TEAM0002,KM0000611,SD31,complete",
        "IM0000013,not a time,001A3970724,Assignment,TEAM0002,KM0000611,,complete",
        "IM0000002,2013-02-13 12:03:35,001A0000001,Assignment,TEAM0002,KM1,,complete",
        "IM9999999,2013-02-13 12:03:35,001A0000002,Assignment,TEAM0002,KM1,,complete",
        "IM0000004,2013-03-31 02:15:00,001A0000003,Open,TEAM0001,KM1,,complete",
    )
    report = import_incidents("bpic2014", [cases, log])
    assert [(Path(e.file).name, e.line) for e in report.errors] == [
        ("cases.csv", 3),
        ("cases.csv", 4),
        ("cases.csv", 6),
        ("log.csv", 4),
        ("log.csv", 6),
    ]
    messages = [e.message for e in report.errors]
    assert "impact" in messages[0] and "'9'" in messages[0]
    assert "open_time" in messages[1]
    assert "expected 28 columns, found 3" in messages[2]
    assert "data_stamp" in messages[3]
    assert "IM9999999" in messages[4]
    assert (report.created, report.events_created) == (2, 3)

    first = Incident.objects.get(external_id="IM0000013")
    # A repeated activity number gets a counter, so both events are kept and a re-run finds them again.
    assert sorted(first.imported_events.values_list("external_id", flat=True)) == [
        "001A3970723",
        "001A3970723#2",
    ]
    odd = Incident.objects.get(external_id="IM0000004")
    assert odd.affected_ci_name == "" and odd.title == "Incident"  # '#MULTIVALUE' CI, empty category
    assert (odd.impact, odd.urgency) == (3, 2)  # empty impact: the default (low); BPI 3 -> medium
    assert odd.created == utc(2013, 3, 31, 1, 30)  # 02:30 does not exist that night: read as UTC+1
    assert odd.closed_at == utc(2013, 10, 27, 0, 30)  # 02:30 happens twice: the first (summer time)

    again = import_incidents("bpic2014", [log, cases])
    assert (again.created, again.unchanged, again.events_created) == (0, 2, 0)
    assert len(again.errors) == 5

    # The event log alone adds events to incidents imported before.
    more = write(tmp_path / "more.csv", LOG_HEADER, "IM0000013,2013-11-08 13:54:13,001A5891812,Closed,T3,,,x")
    later = import_incidents("bpic2014", [more])
    assert (later.created, later.unchanged, later.events_created, later.errors) == (0, 0, 1, [])
    assert first.imported_events.count() == 3


def test_a_row_failing_in_the_database_is_rolled_back_alone(db, tmp_path, monkeypatch):
    org = factories.organization("Imported Customer", "customer")
    source = write(
        tmp_path / "tickets.csv",
        "external_id,title",
        "A-1,First",
        "A-2,Second",
        "A-3,Third",
    )
    original = changelog.record_many

    def failing_record(instances, **kwargs):
        if any(getattr(instance, "external_id", "") == "A-2" for instance in instances):
            raise DatabaseError("disk on fire")
        return original(instances, **kwargs)

    monkeypatch.setattr(import_writer.changelog, "record_many", failing_record)
    report = import_incidents("generic", [source], customer=org.name)
    assert [(e.line, e.message) for e in report.errors] == [(3, "ticket A-2: disk on fire")]
    assert report.created == 2
    assert sorted(Incident.objects.values_list("external_id", flat=True)) == ["A-1", "A-3"]
    assert not IncidentEvent.objects.filter(external_id="A-2").exists()

    monkeypatch.setattr(import_writer.changelog, "record_many", original)
    report = import_incidents("generic", [source], customer=org.name)
    assert (report.created, report.unchanged, report.errors) == (1, 2, [])


@pytest.fixture
def catalogue(ctx):
    service = factories.service("Hosted Email", customers=[ctx.org_a])
    team = core_services.record_create(
        model=Team, data={"name": "Service Desk", "organization": ctx.provider}, actor=None
    )
    return service, team


def generic_file(path: Path, ctx, *, first_title: str = "Mail bounces") -> Path:
    """The generic file; a path ending in .xlsx gets the same table as a workbook (times typed as dates
    where they have no offset), sheet "Tickets"."""
    written = write(
        path,
        "external_id,title,description,customer,service,category,impact,urgency,status,opened_at,resolved_at,"
        "closed_at,assignment_group,resolution_code,closure_code,unused",
        f"T-1,{first_title},Since 9:00,{ctx.org_a.name},Hosted Email,email,1,2,closed,"
        "2026-03-01T10:00:00+01:00,2026-03-01 12:00,2026-03-02 08:00,Service Desk,fixed,solved,x",
        "T-2,Printer jam,,,,hardware,,,In Progress,2026-03-03 09:00,,,,,,",
        "T-3,Unknown service,,,No Such Service,,,,,,,,,,,",
        "T-4,Bad status,,,,,,,sleeping,,,,,,,",
        "T-5,Bad impact,,,,,7,,,,,,,,,",
        "T-6,Supplier ticket,,Suite Provider,,,,,,,,,,,,",
        "T-7,Grouped,,,,,,,,,,,Service Desk,,,",
    )
    if path.suffix == ".xlsx":
        path.write_bytes(csv_as_xlsx(written.read_text(encoding="utf-8"), "Tickets"))
    return written


@pytest.mark.parametrize("kind", FORMATS)
def test_generic_mapping(ctx, catalogue, tmp_path, kind):
    service, team = catalogue
    source = generic_file(tmp_path / f"tickets.{kind}", ctx)
    report = import_incidents("generic", [source], customer=ctx.org_b.name)
    assert {e.sheet for e in report.errors} == {"" if kind == "csv" else "Tickets"}
    expected = [
        (4, "ticket T-3: no service named 'No Such Service'"),  # services are never created
        (5, "status 'sleeping'"),
        (6, "impact '7'"),
        (7, "ticket T-6: customer: "),  # the model's own rule: incidents are raised for customers
    ]
    assert [e.line for e in report.errors] == [line for line, _text in expected]
    assert all(text in e.message for e, (_line, text) in zip(report.errors, expected, strict=True))
    assert report.created == 3
    full = Incident.objects.get(source="generic", external_id="T-1")
    assert (full.title, full.description, full.customer, full.service) == (
        "Mail bounces",
        "Since 9:00",
        ctx.org_a,
        service,
    )
    assert (full.impact, full.urgency, full.priority, full.status) == (1, 2, 2, Incident.Status.CLOSED)
    assert (full.assignment_group, full.resolution_code, full.closure_code) == (team, "fixed", "solved")
    assert full.created == utc(2026, 3, 1, 9)  # the offset given wins
    assert full.resolved_at == utc(2026, 3, 1, 12)  # no offset: the server's zone (UTC in the tests)
    assert full.closed_at == utc(2026, 3, 2, 8)
    defaulted = Incident.objects.get(external_id="T-2")
    assert (defaulted.customer, defaulted.status, defaulted.priority) == (ctx.org_b, "in_progress", 5)
    assert Incident.objects.get(external_id="T-7").status == Incident.Status.ASSIGNED
    assert not SlaClock.objects.exists()

    again = import_incidents("generic", [source], customer=ctx.org_b.name)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)

    changed = generic_file(tmp_path / f"changed.{kind}", ctx, first_title="Mail bounces since Monday")
    third = import_incidents("generic", [changed], customer=ctx.org_b.name)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 2)
    full.refresh_from_db()
    assert full.title == "Mail bounces since Monday"
    entry = ChangeRecord.objects.filter(object_type="incidents.incident", object_id=full.pk).first()
    assert entry.action == "update" and entry.changes["title"] == [
        "Mail bounces",
        "Mail bounces since Monday",
    ]


def test_generic_rows_without_customer_need_the_option(db, tmp_path):
    source = write(tmp_path / "t.csv", "external_id,title", "X-1,Lonely")
    report = import_incidents("generic", [source])
    assert [(e.line, e.message) for e in report.errors] == [
        (2, "ticket X-1: no customer column value and no default customer (--customer)")
    ]


def test_an_identifier_given_twice_is_an_error(db, tmp_path):
    org = factories.organization("Twice", "customer")
    source = write(tmp_path / "t.csv", "external_id,title", "D-1,First", "D-1,Again", "D-2,Other")
    report = import_incidents("generic", [source], customer=org.name)
    assert [(e.line, e.message) for e in report.errors] == [(3, "ticket D-1 was given on line 2")]
    assert Incident.objects.get(external_id="D-1").title == "First"
    assert report.created == 2


def test_bad_arguments(db, tmp_path):
    good = write(tmp_path / "t.csv", "external_id,title", "X-1,One")
    with pytest.raises(ImportStartError, match="no preset or mapping file 'nope'"):
        import_incidents("nope", [good])
    with pytest.raises(ImportStartError, match="cannot read"):
        import_incidents("generic", [tmp_path / "missing.csv"])
    with pytest.raises(ImportStartError, match="lacks the column.s. external_id, title that the generic"):
        import_incidents("generic", [write(tmp_path / "o.csv", "a,b", "1,2")])
    with pytest.raises(ImportStartError, match="no organization named 'Nobody'"):
        import_incidents("generic", [good], customer="Nobody")
    with pytest.raises(ImportStartError, match="at least one file"):
        import_incidents("generic", [])
    with pytest.raises(ImportStartError, match="unknown time zone 'Mars/Olympus'"):
        import_incidents("generic", [good], time_zone="Mars/Olympus")
    assert not Incident.objects.exists()
    assert {"bpic2014", "generic"} <= set(mapping_files.presets())
    # A file that is not UTF-8 is read as cp1252, and says so.
    org = factories.organization("Latin", "customer")
    (tmp_path / "latin.csv").write_bytes("external_id,title\nX,caf\xe9\n".encode("latin-1"))
    report = import_incidents("generic", [tmp_path / "latin.csv"], customer=org.name)
    assert "encoding cp1252" in report.files[str(tmp_path / "latin.csv")]
    assert Incident.objects.get(external_id="X").title == "caf\xe9"


def test_command(ctx, catalogue, tmp_path, capsys):
    source = generic_file(tmp_path / "tickets.csv", ctx)
    call_command("import_incidents", "--mapping", "generic", "--customer", ctx.org_b.name, str(source))
    out, err = capsys.readouterr()
    # T-1 has opened, resolved and closed times, T-2 an opened time: four timeline entries
    assert "generic: 7 tickets from 7 rows: 3 created, 0 updated, 0 unchanged, 4 history events added" in out
    assert "4 rows with errors" in out  # T-6 fails only when written
    assert "done 100%" in err  # the progress, a line per tenth when not on a terminal
    assert f"{source}:4: ticket T-3: no service named 'No Such Service'" in out
    assert Incident.objects.count() == 3

    call_command("import_incidents", "--mapping", "generic", "--customer", ctx.org_b.name, str(source))
    assert "0 created, 0 updated, 3 unchanged" in capsys.readouterr().out

    for args in (
        [str(tmp_path / "missing.csv")],
        ["--customer", "Nobody", str(source)],
    ):
        with pytest.raises(CommandError) as failure:
            call_command("import_incidents", "--mapping", "generic", *args)
        assert failure.value.returncode == 2
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("import_incidents", "--mapping", "nope", str(source))


def test_many_row_errors_are_summarised(db, tmp_path, capsys):
    org = factories.organization("Many", "customer")
    lines = ["external_id,title,impact"] + [f"E-{n},Row {n},9" for n in range(25)]
    source = write(tmp_path / "many.csv", *lines)
    call_command("import_incidents", "--mapping", "generic", "--customer", org.name, str(source), verbosity=0)
    out, err = capsys.readouterr()
    assert out == ""  # quiet: only the report, because rows failed
    assert "25 rows with errors" in err and "25 x unknown impact:" in err
    assert err.count(f"{source}:") == 5 and "... and 20 more" in err


def test_cli_exit_status_for_bad_arguments(tmp_path, capsys):
    with pytest.raises(SystemExit) as unknown_mapping:
        cli.main(["import-incidents", "--mapping", "nope", str(tmp_path / "x.csv")])
    assert unknown_mapping.value.code == 2
    with pytest.raises(SystemExit) as missing_file:
        cli.main(["import-incidents", "--mapping", "generic", str(tmp_path / "x.csv")])
    assert missing_file.value.code == 2
    assert "cannot read the file" in capsys.readouterr().err


def test_import_from_the_browser(ctx, tmp_path, django_capture_on_commit_callbacks):
    """The same importer behind a page for incident managers; others are refused."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    rows = f"external_id,title,customer\nT-1,Printer jam,{ctx.org_a.name}\nT-2,,{ctx.org_a.name}\n"
    manager = factories.user("imp_mgr", ctx.provider, ["incident-manager"])
    browser = Client()
    browser.force_login(manager)
    assert browser.get("/incidents/import/").status_code == 200
    upload = SimpleUploadedFile("tickets.csv", rows.encode(), content_type="text/csv")
    page = import_page(browser, django_capture_on_commit_callbacks, [upload], customer=ctx.org_a.name)
    text = page.content.decode()
    assert page.status_code == 200 and 'id="import-result"' in text
    assert Incident.objects.filter(source="generic", external_id="T-1").exists()
    assert "1 row could not be imported" in text and "tickets.csv:3:" in text  # T-2 has no title
    agent = factories.user("imp_agent", ctx.provider, ["incident-agent"])
    browser.force_login(agent)
    assert browser.get("/incidents/import/").status_code == 403


@pytest.mark.skipif(not BPI_CASES.exists(), reason="BPI Challenge 2014 sample not available")
def test_the_bpi_tickets_file_and_event_log_import_together_from_the_browser(
    ctx, settings, tmp_path, django_capture_on_commit_callbacks
):
    """A mapping with two files: both go in one form, preview and run read them together, and the run's
    files are removed from the storage once it is done."""
    from django.core.files.storage import default_storage
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    settings.MEDIA_ROOT = tmp_path / "media"
    browser = Client()
    manager = factories.user("imp_bpi", ctx.provider, ["incident-manager"])
    browser.force_login(manager)

    def uploads() -> list:  # the event log first: each file's part is told by its header
        return [
            SimpleUploadedFile(p.name, p.read_bytes(), content_type="text/csv") for p in (BPI_LOG, BPI_CASES)
        ]

    capture = django_capture_on_commit_callbacks
    preview = import_page(browser, capture, uploads(), action="preview", mapping="bpic2014")
    text = html.unescape(preview.content.decode())
    assert preview.status_code == 200 and 'id="import-preview"' in text
    assert f"{BPI_LOG.name} read as CSV" in text and "(event log)" in text and "(tickets file)" in text
    # the first tickets, titled from the tickets file although the event log's rows came first
    assert "<td>IM0000048</td><td>Request for information on SBA000662</td>" in text
    assert not Incident.objects.exists() and not IncidentImportRun.objects.exists()

    page = import_page(browser, capture, uploads(), mapping="bpic2014")
    run = IncidentImportRun.objects.get()
    assert page.status_code == 200 and 'id="import-result"' in page.content.decode()
    assert run.status == IncidentImportRun.Status.DONE, run.failure_reason
    assert run.file_name == f"{BPI_LOG.name}, {BPI_CASES.name}" and run.uploads == []
    assert (run.report["tickets"], run.report["created"], run.report["events_created"]) == (4000, 4000, 39911)
    assert run.report["errors"] == {}
    assert (
        Incident.objects.filter(source="bpic2014").count() == 4000 and IncidentEvent.objects.count() == 39911
    )
    assert not [f for _d, _s, files in os.walk(default_storage.path("imports")) for f in files]  # both gone


def test_xlsx_times_and_numbers_read_as_the_csv_text(ctx, tmp_path):
    """Typed cells: a date-time cell is a time without offset (the mapping's zone), a date cell midnight,
    a whole number 2.0 is "2"; the named sheet is read; error cells and stray values are named by column."""
    header = ["external_id", "title", "customer", "impact", "opened_at", "resolved_at", "closed_at"]
    book = tmp_path / "history.xlsx"
    book.write_bytes(
        xlsx_bytes(
            {
                "Notes": [["exported from the old tool"]],
                "Tickets": [
                    header,
                    ["X-1", "Disk full", ctx.org_a.name, 2.0, dt.datetime(2026, 3, 1, 10, 0), None, None],
                    [
                        "X-2",
                        "Slow",
                        ctx.org_a.name,
                        1,
                        dt.date(2026, 3, 2),
                        dt.datetime(2026, 3, 2, 11, 59, 59, 999_700),
                    ],
                    ["X-3", "Stray", ctx.org_a.name, 3, None, None, None, "beyond"],
                    [None] * 7,
                ],
            },
            blank_rows=5,
        )
    )
    report = import_incidents("generic", [book], sheet="tickets", time_zone="Europe/Berlin")
    assert [(e.line, e.sheet, e.message) for e in report.errors] == [
        (4, "Tickets", "column H holds a value but has no header")
    ]
    assert str(report.errors[0]) == f"{book}, sheet Tickets, row 4: column H holds a value but has no header"
    assert report.sheets == {str(book): "Tickets"} and report.created == 2
    first = Incident.objects.get(external_id="X-1")
    assert (first.impact, first.created) == (2, utc(2026, 3, 1, 9))  # Berlin in March: UTC+1
    second = Incident.objects.get(external_id="X-2")
    assert second.created == utc(2026, 3, 1, 23) and second.resolved_at == utc(2026, 3, 2, 11)
    with pytest.raises(ImportStartError, match="has no sheet 'Later'; its sheets: Notes, Tickets"):
        import_incidents("generic", [book], sheet="Later")
    with pytest.raises(ImportStartError, match="lacks the column"):
        import_incidents("generic", [book])  # the first sheet holds notes


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("t.xlsx", b"external_id,title\nX-1,One\n", "is named as an XLSX workbook but is not one"),
        ("t.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old Excel (.xls) workbook"),
        ("t.csv", b"PK\x03\x04" + b"\0" * 100, "is not a readable XLSX workbook"),
        ("t.xlsx", csv_as_xlsx("external_id,title\nX-1,One\n")[:900], "is not a readable XLSX workbook"),
    ],
)
def test_a_file_that_is_no_readable_workbook_stops_the_import(
    ctx, tmp_path, capsys, django_capture_on_commit_callbacks, name, content, message
):
    good = write(tmp_path / "good.csv", "external_id,title", "G-1,Good")
    bad = tmp_path / name
    bad.write_bytes(content)
    with pytest.raises(ImportStartError, match=message.replace("(", r"\(").replace(")", r"\)")):
        import_incidents("generic", [good, bad], customer=ctx.org_a.name)
    with pytest.raises(CommandError) as failure:
        call_command(
            "import_incidents", "--mapping", "generic", "--customer", ctx.org_a.name, str(good), str(bad)
        )
    assert failure.value.returncode == 2
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    browser = Client()
    browser.force_login(factories.user("imp_bad", ctx.provider, ["incident-manager"]))
    good_upload = SimpleUploadedFile("good.csv", b"external_id,title\nG-1,Good\n")
    for action in ("preview", "run"):
        page = import_page(
            browser,
            django_capture_on_commit_callbacks,
            [good_upload, SimpleUploadedFile(name, content)],
            action=action,
            customer=ctx.org_a.name,
        )
        good_upload.seek(0)
        text = html.unescape(page.content.decode())
        assert page.status_code == 400 and message in text, action
        assert "servitium-import-" not in text and "upload-1" not in text  # the upload's name, not the copy
    assert not Incident.objects.exists() and not ChangeRecord.objects.filter(object_type="incidents.incident")
    assert not IncidentImportRun.objects.exists()


def test_import_from_the_browser_takes_a_workbook(ctx, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    manager = factories.user("imp_xlsx", ctx.provider, ["incident-manager"])
    browser = Client()
    browser.force_login(manager)
    book = csv_as_xlsx(
        f"external_id,title,customer\nW-1,From a workbook,{ctx.org_a.name}\nW-2,,x\n", "Export"
    )
    upload = SimpleUploadedFile("old-tool.xlsx", book)
    page = import_page(browser, django_capture_on_commit_callbacks, [upload], sheet="Export")
    text = page.content.decode()
    assert page.status_code == 200 and 'id="import-result"' in text
    assert Incident.objects.filter(external_id="W-1", customer=ctx.org_a).exists()
    assert "old-tool.xlsx, sheet Export" in text and "old-tool.xlsx:3:" in text  # W-2 has no title


def test_a_tickets_file_is_checked_in_the_mapping_and_a_file_fitting_neither_part_stops(db, tmp_path):
    with pytest.raises(mapping_files.MappingError, match="tickets_file: only an event log"):
        mapping_files.parse("shape: tickets\ncolumns: {ticket: id}\ntickets_file: {columns: {ticket: id}}")
    with pytest.raises(mapping_files.MappingError, match="tickets_file.columns: the 'ticket' column"):
        mapping_files.parse("columns: {ticket: id, time: t}\ntickets_file: {columns: {title: x}}")
    with pytest.raises(mapping_files.MappingError, match="tickets_file: unknown key.s. values"):
        mapping_files.parse("columns: {ticket: i, time: t}\ntickets_file: {columns: {ticket: i}, values: {}}")
    log = write(tmp_path / "log.csv", LOG_HEADER, "IM1,2013-02-13 12:03:35,A1,Open,TEAM0001,,,complete")
    other = write(tmp_path / "other.csv", "incident_id,title", "IM1,Hello")
    with pytest.raises(ImportStartError, match="fits neither the event log .* nor the tickets file"):
        import_incidents("bpic2014", [log, other])
    # nothing is written, not even the mapping's own customer
    assert not Incident.objects.exists() and not Organization.objects.filter(name="Rabobank Group ICT")
