"""Bulk import of CIs and relationships from CSV: schema-checked, row errors reported, idempotent."""

from __future__ import annotations

from django.core.management import call_command

from servitium.cmdb.importing import import_cis
from servitium.cmdb.models import CIRelationship, ConfigurationItem
from servitium.core.models import ChangeRecord
from tests.base import client

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


def test_import_creates_reports_bad_rows_and_is_idempotent(ctx, cmdb):
    report = import_cis(actor=cmdb.manager, cis=CIS, relationships=RELS)
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert report.relationships_created == 1
    lines = {(f, line) for f, line, _ in report.errors}
    assert lines == {
        ("cis", 4),
        ("cis", 5),
        ("cis", 6),
        ("cis", 7),
        ("cis", 8),
        ("relationships", 3),
        ("relationships", 4),
    }
    messages = {line: m for f, line, m in report.errors if f == "cis"}
    assert "cpu_cores" in messages[4] and "os" in messages[5] and "owner" in messages[6]
    app = ConfigurationItem.objects.get(name="app-01")
    assert app.attributes == {"os": "Debian 12", "cpu_cores": 4, "virtualised": True}
    assert app.owner == cmdb.owner and list(app.customers.all()) == [ctx.org_a]
    assert CIRelationship.objects.filter(source=app, kind="runs_on").count() == 1

    logged = ChangeRecord.objects.count()
    again = import_cis(actor=cmdb.manager, cis=CIS, relationships=RELS)
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


def test_command(ctx, cmdb, tmp_path, capsys):
    cis, rels = tmp_path / "cis.csv", tmp_path / "rels.csv"
    cis.write_text(CIS)
    rels.write_text(RELS)
    call_command("import_cis", str(cis), relationships=str(rels))
    out = capsys.readouterr().out
    assert "CIs: 2 created" in out and "relationships: 1 created" in out and "cis line 4" in out


def test_import_page(ctx, cmdb):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    web = Client()
    web.force_login(cmdb.agent)
    assert web.get("/cmdb/import/").status_code == 200
    response = web.post("/cmdb/import/", {"cis": SimpleUploadedFile("cis.csv", CIS.encode())})
    assert response.status_code == 200 and b"import-report" in response.content
    assert ConfigurationItem.objects.count() == 2
    customer = Client()
    customer.force_login(ctx.customer_a)
    assert customer.get("/cmdb/import/").status_code == 403
    assert client(ctx.customer_a).get("/api/v1/cis/").json()["count"] == 1  # app-01 serves Customer A
