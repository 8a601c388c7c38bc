"""Bulk import of CIs and relationships from CSV or XLSX: schema-checked, row errors reported, idempotent;
a file that is no readable workbook is refused whole."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from servitium.cmdb.importing import import_cis
from servitium.cmdb.models import CIRelationship, ConfigurationItem
from servitium.core.models import ChangeRecord
from tests.base import client, sent_to_portal
from tests.sheets import FORMATS, csv_as_xlsx, xlsx_bytes

CIS = """name,type,status,version,owner,customers,attr:os,attr:cpu_cores,attr:virtualised
app-01,test server,in_use,1.0,Olga Owner,Suite Customer A,Debian 12,4,yes
app-02,test server,in_use,1.0,,,Debian 12,8,false
bad-cores,test server,in_use,,,,Debian 12,many,
no-os,test server,in_use,,,,,2,
nobody,test server,in_use,,Nobody Known,,Debian 12,2,
,test server,in_use,,,,Debian 12,2,
thing,no such type,in_use,,,,,,
"""
RELS = """source,kind,target
app-01,runs_on,app-02
app-01,sits_on,app-02
app-01,depends_on,ghost
"""


def files(kind: str) -> tuple[bytes | str, bytes | str, str, str]:
    """The CI and relationship files in the format, and how errors name each (XLSX: with the sheet)."""
    if kind == "csv":
        return CIS, RELS, "cis", "relationships"
    return csv_as_xlsx(CIS, "CIs"), csv_as_xlsx(RELS, "Links"), "cis, sheet CIs", "relationships, sheet Links"


@pytest.mark.parametrize("kind", FORMATS)
def test_import_creates_reports_bad_rows_and_is_idempotent(ctx, cmdb, kind):
    cis, rels, cis_label, rels_label = files(kind)
    report = import_cis(actor=cmdb.manager, cis=cis, relationships=rels)
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert report.relationships_created == 1
    lines = {(f, line) for f, line, _ in report.errors}
    assert lines == {
        (cis_label, 4),
        (cis_label, 5),
        (cis_label, 6),
        (cis_label, 7),
        (cis_label, 8),
        (rels_label, 3),
        (rels_label, 4),
    }
    messages = {line: m for f, line, m in report.errors if f == cis_label}
    assert "cpu_cores" in messages[4] and "os" in messages[5] and "owner" in messages[6]
    app = ConfigurationItem.objects.get(name="app-01")
    assert app.attributes == {"os": "Debian 12", "cpu_cores": 4, "virtualised": True}
    assert app.owner == cmdb.owner and list(app.customers.all()) == [ctx.org_a]
    assert CIRelationship.objects.filter(source=app, kind="runs_on").count() == 1

    logged = ChangeRecord.objects.count()
    again = import_cis(actor=cmdb.manager, cis=cis, relationships=rels)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert again.relationships_existing == 1 and again.relationships_created == 0
    assert ConfigurationItem.objects.count() == 2 and ChangeRecord.objects.count() == logged


def test_reimport_with_changes_updates_by_reference_or_name(ctx, cmdb):
    import_cis(actor=None, cis=CIS)
    app = ConfigurationItem.objects.get(name="app-02")
    changed = f"reference,name,type,version,attr:cpu_cores\n{app.reference},app-02,test server,2.0,16\n"
    report = import_cis(actor=None, cis=changed)
    assert (report.created, report.updated) == (0, 1)
    app.refresh_from_db()
    assert app.version == "2.0" and app.attributes["cpu_cores"] == 16 and app.attributes["os"] == "Debian 12"
    unknown = import_cis(actor=None, cis="reference,name,type\nCI9999999,x,test server\n")
    assert unknown.errors and unknown.errors[0][1] == 2


@pytest.mark.parametrize("kind", FORMATS)
def test_command(ctx, cmdb, tmp_path, capsys, kind):
    content, relationships, label, _rels = files(kind)
    cis, rels = tmp_path / f"cis.{kind}", tmp_path / f"rels.{kind}"
    for path, data in ((cis, content), (rels, relationships)):
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
    call_command("import_cis", str(cis), relationships=str(rels))
    out = capsys.readouterr().out
    assert "CIs: 2 created" in out and "relationships: 1 created" in out and f"{label} line 4" in out


def test_xlsx_cells_are_read_as_the_csv_text_and_a_named_sheet_is_chosen(ctx, cmdb):
    header = ["name", "type", "attr:os", "attr:cpu_cores", "attr:memory_gb", "attr:virtualised"]
    header += ["attr:installed_on", "notes"]
    rows = [
        header,
        ["db-01", "test server", "Debian 12", 4.0, 7.5, True, dt.date(2025, 6, 30), None],
        ["db-02", "test server", "Debian 12", 2, 16, False, dt.date(2025, 7, 1), None],
        ["db-03", "test server", "Debian 12", "=1/0", None, None, None, None],
        ["db-04", "test server", "Debian 12", 2, None, None, None, None, "stray"],
        [None] * 8,
        ["db-05", "test server", "Debian 12", 2, None, None, None, None],
    ]
    book = xlsx_bytes({"Readme": [["Fill in the next sheet"]], "Servers": rows})
    # an error cell as Excel stores one (openpyxl would write the formula itself)
    book = _with_error_cell(book, "Servers", "D4")
    first = import_cis(actor=None, cis=book)
    assert first.created == 0 and first.errors[0][:2] == ("cis, sheet Readme", 1)  # no "type" column
    report = import_cis(actor=None, cis=book, sheets={"cis": "servers"})
    assert report.created == 3 and not report.refused
    assert [(f, line) for f, line, _m in report.errors] == [
        ("cis, sheet Servers", 4),
        ("cis, sheet Servers", 5),
    ]
    assert "column D (attr:cpu_cores) holds the error #DIV/0!" in report.errors[0][2]
    assert "column I holds a value but has no header" in report.errors[1][2]
    assert ConfigurationItem.objects.get(name="db-01").attributes == {
        "os": "Debian 12",
        "cpu_cores": 4,
        "memory_gb": 7.5,
        "virtualised": True,
        "installed_on": "2025-06-30",
    }
    second = ConfigurationItem.objects.get(name="db-02").attributes
    assert (second["memory_gb"], second["virtualised"], second["installed_on"]) == (16, False, "2025-07-01")
    assert ConfigurationItem.objects.filter(name="db-05").exists()  # after an empty row
    missing = import_cis(actor=None, cis=book, sheets={"cis": "Nope"})
    assert "has no sheet 'Nope'; its sheets: Readme, Servers" in missing.refused


def _with_error_cell(book: bytes, title: str, ref: str) -> bytes:
    """The workbook with cell `ref` of sheet `title` rewritten as the cached error value Excel writes."""
    import re

    import openpyxl

    names = openpyxl.load_workbook(io.BytesIO(book)).sheetnames
    part = f"xl/worksheets/sheet{names.index(title) + 1}.xml"
    source, output = zipfile.ZipFile(io.BytesIO(book)), io.BytesIO()
    with zipfile.ZipFile(output, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == part:
                text = data.decode()
                text = re.sub(
                    rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)',
                    f'<c r="{ref}" t="e"><v>#DIV/0!</v></c>',
                    text,
                    count=1,
                )
                data = text.encode()
            target.writestr(item, data)
    return output.getvalue()


def _not_a_workbook_zip() -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return output.getvalue()


BAD_FILES = {
    "text named .xlsx": ("cis.xlsx", CIS.encode(), "is named as an XLSX workbook but is not one"),
    "old .xls": ("cis.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "old Excel (.xls) workbook"),
    "zip, no workbook": ("cis.xlsx", _not_a_workbook_zip(), "is not a readable XLSX workbook"),
    "truncated": ("cis.xlsx", csv_as_xlsx(CIS)[:700], "is not a readable XLSX workbook"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_file_that_is_no_readable_workbook_is_refused_and_nothing_is_written(ctx, cmdb, tmp_path, case):
    name, content, message = BAD_FILES[case]
    import_cis(actor=None, cis="name,type\nfirst,test server\nsecond,test server\n")
    before = (ConfigurationItem.objects.count(), CIRelationship.objects.count(), ChangeRecord.objects.count())
    # a good CI file with a bad relationship file: the CIs are not imported either
    report = import_cis(
        actor=None, cis=csv_as_xlsx(CIS), relationships=content, names={"relationships": name}
    )
    assert message in report.refused and name in report.refused
    assert (report.created, report.errors) == (0, [])
    after = (ConfigurationItem.objects.count(), CIRelationship.objects.count(), ChangeRecord.objects.count())
    assert after == before

    web = Client()
    web.force_login(cmdb.agent)
    page = web.post("/cmdb/import/", {"cis": SimpleUploadedFile(name, content)})
    assert page.status_code == 400 and message in page.content.decode()
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError, match="XLSX|xls") as failure:
        call_command("import_cis", str(path))
    assert failure.value.returncode == 2
    assert ChangeRecord.objects.count() == before[2]


@pytest.mark.parametrize("kind", FORMATS)
def test_import_page(ctx, cmdb, kind):
    content, _rels, _label, _rels_label = files(kind)
    web = Client()
    web.force_login(cmdb.agent)
    assert web.get("/cmdb/import/").status_code == 200
    data = content if isinstance(content, bytes) else content.encode()
    response = web.post("/cmdb/import/", {"cis": SimpleUploadedFile(f"cis.{kind}", data)})
    assert response.status_code == 200 and b"import-report" in response.content
    assert ConfigurationItem.objects.count() == 2
    customer = Client()
    customer.force_login(ctx.customer_a)
    assert sent_to_portal(customer.get("/cmdb/import/"))
    assert client(ctx.customer_a).get("/api/v1/cis/").json()["count"] == 1  # app-01 serves Customer A
