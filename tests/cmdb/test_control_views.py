"""The pages of configuration control render for configuration staff and stay closed to customers."""

from __future__ import annotations

import pytest
from django.test import Client

from servitium.cmdb import audits, services
from servitium.cmdb.models import AuditFinding, Baseline, ConfigurationAudit, MasterCopy
from servitium.core import services as core_services
from tests.cmdb.conftest import ci


def web(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def records(ctx, cmdb):
    svc = ci("Mail", cmdb.generic, status="in_use", customers=[ctx.org_a])
    host = ci("host", cmdb.generic, status="in_use")
    baseline = services.baseline_create(actor=None, name="mail v1", cis=[svc, host])
    services.ci_update(actor=None, instance=host, data={"version": "2"})
    audit = core_services.record_create(model=ConfigurationAudit, data={"title": "Q1"}, actor=None)
    audits.audit_import(actor=None, audit=audit, content='[{"name": "rogue"}]', filename="scan.json")
    audits.audit_transition(actor=None, instance=audit, transition="reconcile")
    copy = core_services.record_create(
        model=MasterCopy, data={"name": "Postfix", "version": "3.8", "storage_location": "dsl"}, actor=None
    )
    return baseline, audit, copy


def test_pages_render(ctx, cmdb, records):
    baseline, audit, copy = records
    finding = AuditFinding.objects.filter(audit=audit).first()
    client = web(cmdb.manager)
    for url in [
        "/cmdb/baselines/",
        "/cmdb/baselines/new/",
        f"/cmdb/baselines/{baseline.pk}/",
        f"/cmdb/baselines/{baseline.pk}/compare/?against=now",
        "/cmdb/audits/",
        "/cmdb/audits/new/",
        f"/cmdb/audits/{audit.pk}/",
        "/cmdb/findings/",
        f"/cmdb/findings/{finding.pk}/",
        "/cmdb/library/",
        f"/cmdb/library/{copy.pk}/",
        "/cmdb/licences/",
        "/cmdb/import/",
    ]:
        assert client.get(url).status_code == 200, url
    compare = client.get(f"/cmdb/baselines/{baseline.pk}/compare/?against=now").content.decode()
    assert "<code>version</code>" in compare


def test_take_a_baseline_and_close_a_finding_in_the_ui(ctx, cmdb, records):
    baseline, audit, copy = records
    client = web(cmdb.manager)
    svc = baseline.items.get(name="Mail")
    response = client.post("/cmdb/baselines/new/", {"name": "ui", "scope": "service", "service": svc.ci_pk})
    assert response.status_code == 302
    assert Baseline.objects.get(name="ui").item_count == 1
    assert client.post("/cmdb/baselines/new/", {"name": "", "scope": "service"}).status_code == 400
    finding = AuditFinding.objects.get(audit=audit, kind="unexpected")
    client.post(f"/cmdb/findings/{finding.pk}/", {"close": "1", "resolution": "accepted", "note": "lab kit"})
    finding.refresh_from_db()
    assert finding.status == "closed" and finding.resolution == "accepted"


def test_customers_get_no_control_pages(ctx, records):
    baseline, audit, copy = records
    client = web(ctx.customer_a)
    for url in [f"/cmdb/baselines/{baseline.pk}/", f"/cmdb/audits/{audit.pk}/", f"/cmdb/library/{copy.pk}/"]:
        assert client.get(url)["Location"] == "/portal/", url  # customers are sent to the portal
    assert client.get(f"/cmdb/baselines/{baseline.pk}/compare/")["Location"] == "/portal/"
