"""The export of a customer's records: through the API, for a customer with tickets (comments, history,
attachments), an agreement, a service report and a CI, the ZIP verifies against its manifest, holds every
ticket with its history and nothing of another customer; tampering makes verification fail; another
organization's customer user gets 404 on the download."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from servitium.cmdb import services as cmdb_services
from servitium.cmdb.models import CIType
from servitium.core import services as core_services
from servitium.exits.models import DataExport
from servitium.exits.verify import verify
from servitium.reporting import services as report_services
from tests import factories
from tests.base import client
from tests.exits.conftest import agreement, ticket

OTHER = "Zebulon Freight Holdings"


def _ci(name, customers):
    kind = CIType.objects.filter(name="exit test").first() or core_services.record_create(
        model=CIType, data={"name": "exit test", "attribute_schema": {}}, actor=None
    )
    return cmdb_services.ci_create(
        actor=None, data={"name": name, "ci_type": kind, "attributes": {}}, m2m={"customers": customers}
    )


def _report(customer, owner):
    definition = report_services.definition_create(
        actor=None,
        data={
            "title": "Monthly",
            "purpose": "How it went",
            "customer": customer,
            "frequency": "monthly",
            "owner": owner,
        },
    )
    import datetime as dt

    report = report_services.report_generate(
        actor=None, definition=definition, period_start=dt.date(2026, 10, 1), pdf=False, mail=False
    )
    report_services.freeze_pdf(report=report, actor=None, body=b"%PDF-1.4 the report of the month\n")
    return report


@pytest.fixture
def world(ctx, staff):
    other = factories.organization(OTHER, "customer")
    other_service = factories.service("Freight Tracking", customers=[other])
    theirs = ticket(other, other_service, "Zebulon cannot log in")
    core_services.comment_store(
        target=theirs, body=f"Call {OTHER} back", visibility="public", author=None, actor=None
    )
    agreement(other, other_service, title="Zebulon SLA")
    _ci("Zebulon tracker", [other])
    shared = _ci("Shared hypervisor", [ctx.org_a, other])
    mine = [ticket(ctx.org_a, staff.service, f"Mail stuck {n}", comments=2) for n in range(3)]
    # An internal work note on the customer's own ticket that speaks of another customer stays out.
    core_services.comment_store(
        target=mine[0], body=f"Same fault as at {OTHER}", visibility="internal", author=None, actor=None
    )
    own_ci = _ci("Customer A mail gateway", [ctx.org_a])
    report = _report(ctx.org_a, staff.owner)
    return {
        "other": other,
        "theirs": theirs,
        "mine": mine,
        "own_ci": own_ci,
        "shared": shared,
        "report": report,
    }


def _export_over_api(ctx, staff, django_capture_on_commit_callbacks):
    api = client(staff.manager)
    with django_capture_on_commit_callbacks(execute=True):
        made = api.post("/api/v1/data-exports/", {"customer": ctx.org_a.pk}, format="json")
    assert made.status_code == 201, made.json()
    export = DataExport.objects.get(pk=made.json()["id"])
    assert export.status == "ready", export.failure_reason
    return export


def _lines(archive, name):
    return [json.loads(line) for line in archive.read(name).decode().splitlines()]


def test_the_export_holds_every_ticket_with_history_and_nothing_of_another_customer(
    ctx, staff, world, django_capture_on_commit_callbacks
):
    export = _export_over_api(ctx, staff, django_capture_on_commit_callbacks)
    response = client(ctx.customer_a).get(f"/api/v1/data-exports/{export.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert f'filename="{export.reference}.zip"' in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert len(body) == export.size
    found = verify(io.BytesIO(body))
    assert found.ok, found.problems
    archive = zipfile.ZipFile(io.BytesIO(body))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["customer"] == {"id": ctx.org_a.pk, "name": ctx.org_a.name}
    assert manifest["totals"]["files"] == len(archive.namelist()) - 1

    mine = {t.pk for t in world["mine"]}
    assert {row["id"] for row in _lines(archive, "tickets/tickets.jsonl")} == mine
    assert {row["ticket_id"] for row in _lines(archive, "tickets/changes.jsonl")} == mine
    comments = _lines(archive, "tickets/comments.jsonl")
    assert len(comments) == 6 and {c["ticket_id"] for c in comments} == mine
    assert {row["ticket_id"] for row in _lines(archive, "tickets/attachments.jsonl")} == mine
    assert sum(1 for n in archive.namelist() if n.startswith("tickets/attachments/")) == 3
    csv_rows = archive.read("tickets/tickets.csv").decode().splitlines()
    assert len(csv_rows) == 4 and csv_rows[0].startswith("id,")
    assert [a["id"] for a in _lines(archive, "agreements/agreements.jsonl")] == [staff.agreement.pk]
    assert len(_lines(archive, "agreements/targets.jsonl")) == 1
    assert [r["id"] for r in _lines(archive, "reports/service_reports.jsonl")] == [world["report"].pk]
    assert any(n.startswith("reports/files/") and n.endswith(".pdf") for n in archive.namelist())
    assert [c["id"] for c in _lines(archive, "cmdb/configuration_items.jsonl")] == [world["own_ci"].pk]

    theirs = world["theirs"]
    for name in archive.namelist():
        content = archive.read(name)
        assert OTHER.encode() not in content, name
        assert b"Zebulon" not in content, name
        assert theirs.reference.encode() not in content, name
        assert b"Shared hypervisor" not in content, name


def test_tampering_with_a_member_fails_verification(
    ctx, staff, world, tmp_path, capsys, django_capture_on_commit_callbacks
):
    export = _export_over_api(ctx, staff, django_capture_on_commit_callbacks)
    with export.file.open("rb") as handle:
        original = zipfile.ZipFile(handle)
        tampered = tmp_path / "tampered.zip"
        with zipfile.ZipFile(tampered, "w") as out:
            for info in original.infolist():
                data = original.read(info.filename)
                if info.filename == "tickets/tickets.csv":
                    data = data.replace(b"Mail stuck 1", b"Mail stuck 9")
                out.writestr(info.filename, data)
    assert not verify(tampered).ok
    with pytest.raises(SystemExit) as exited:
        call_command("verify_export", str(tampered))
    assert exited.value.code == 1
    assert "tickets/tickets.csv: SHA-256 differs" in capsys.readouterr().err


def test_another_customer_gets_404_and_the_command_line_matches(
    ctx, staff, world, tmp_path, capsys, django_capture_on_commit_callbacks
):
    export = _export_over_api(ctx, staff, django_capture_on_commit_callbacks)
    stranger = factories.user("zeb_user", world["other"], ["customer"])
    assert client(stranger).get(f"/api/v1/data-exports/{export.pk}/download/").status_code == 404
    assert client(ctx.customer_b).get(f"/api/v1/data-exports/{export.pk}/").status_code == 404
    checked = client(staff.agent).get(f"/api/v1/data-exports/{export.pk}/verify/")
    assert checked.status_code == 200 and checked.json()["ok"] is True
    out = tmp_path / "a.zip"
    call_command("export_customer", ctx.org_a.name, "--out", str(out))
    call_command("verify_export", str(out))
    assert "OK" in capsys.readouterr().out


def test_a_customer_acknowledges_receipt_of_its_own_export(
    ctx, staff, world, django_capture_on_commit_callbacks
):
    export = _export_over_api(ctx, staff, django_capture_on_commit_callbacks)
    url = f"/api/v1/data-exports/{export.pk}/"
    assert (
        client(ctx.customer_a).post(url + "acknowledge/", {}, format="json").status_code == 409
    )  # not handed over
    assert (
        client(staff.manager)
        .post(url + "transitions/", {"transition": "hand_over"}, format="json")
        .status_code
        == 200
    )
    assert client(ctx.customer_b).post(url + "acknowledge/", {}, format="json").status_code == 404
    done = client(ctx.customer_a).post(url + "acknowledge/", {"note": "Received, thanks"}, format="json")
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "acknowledged" and done.json()["acknowledged_by"] == ctx.customer_a.pk


def test_an_export_that_cannot_be_built_says_why(ctx, staff, monkeypatch, django_capture_on_commit_callbacks):
    from servitium.exits import exporter

    def broken(self, target):
        raise OSError("disk full")

    monkeypatch.setattr(exporter.CustomerExport, "write", broken)
    with django_capture_on_commit_callbacks(execute=True):
        made = client(staff.manager).post("/api/v1/data-exports/", {"customer": ctx.org_a.pk}, format="json")
    export = DataExport.objects.get(pk=made.json()["id"])
    assert export.status == "failed" and "disk full" in export.failure_reason
    assert client(staff.manager).get(f"/api/v1/data-exports/{export.pk}/download/").status_code == 409


def test_stored_files_are_streamed_from_storage(ctx, staff):
    incident = ticket(ctx.org_a, staff.service, comments=0)
    core_services.attachment_store(
        target=incident, upload=SimpleUploadedFile("big.bin", b"x" * (3 << 20)), actor=None
    )
    from servitium.exits.exporter import CustomerExport

    buffer = io.BytesIO()
    result = CustomerExport(ctx.org_a).write(buffer)
    sizes = {m.name: m.size for m in result.members}
    assert any(n.endswith("big.bin") and s == 3 << 20 for n, s in sizes.items())
    assert verify(io.BytesIO(buffer.getvalue())).ok
