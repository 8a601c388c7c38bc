"""Checks of configuration control follow the records: recent audits followed up, baselines of live
services, master copies for software."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from servitium.cmdb import services
from servitium.cmdb.models import AuditFinding, CIType, ConfigurationAudit, MasterCopy
from servitium.core import services as core_services
from servitium.core.checks import REGISTRY
from tests.cmdb.conftest import ci, ci_type


def run(check_id: str):
    return REGISTRY[check_id].run()


def test_requirement_ids():
    """Each check is bound to the obligations it evidences, not to the whole clause."""
    assert REGISTRY["cmdb.configuration_audited"].requirements == (
        "iso20000-1:2011#9.1.s9",
        "iso20000-1:2018#8.2.6.s5",
    )
    assert "iso20000-1:2011#9.1.s8" in REGISTRY["cmdb.software_has_master_copies"].requirements


def test_configuration_audited(ctx, cmdb):
    assert run("cmdb.configuration_audited").status == "not_applicable"
    item = ci("srv", cmdb.generic, status="in_use")
    assert run("cmdb.configuration_audited").status == "not_met"
    audit = core_services.record_create(
        model=ConfigurationAudit,
        data={
            "title": "old",
            "status": "reconciled",
            "reconciled_at": timezone.now() - dt.timedelta(days=400),
        },
        actor=None,
    )
    assert run("cmdb.configuration_audited").status == "not_met"  # older than 12 months
    ConfigurationAudit.objects.filter(pk=audit.pk).update(
        reconciled_at=timezone.now() - dt.timedelta(days=20)
    )
    assert run("cmdb.configuration_audited").status == "met"
    finding = core_services.record_create(
        model=AuditFinding,
        data={
            "audit": audit,
            "kind": "missing",
            "identifier": item.reference,
            "ci": item,
            "owner": cmdb.owner,
            "due_date": timezone.localdate() - dt.timedelta(days=1),
        },
        actor=None,
    )
    result = run("cmdb.configuration_audited")
    assert result.status == "partly_met" and [g.object_id for g in result.gaps] == [finding.pk]
    AuditFinding.objects.filter(pk=finding.pk).update(status="closed", resolution="accepted")
    assert run("cmdb.configuration_audited").status == "met"


def test_an_audit_closed_with_an_open_finding_is_named(ctx, cmdb):
    item = ci("srv", cmdb.generic, status="in_use")
    audit = core_services.record_create(
        model=ConfigurationAudit,
        data={"title": "Q3", "status": "reconciled", "reconciled_at": timezone.now() - dt.timedelta(days=5)},
        actor=None,
    )
    finding = core_services.record_create(
        model=AuditFinding,
        data={
            "audit": audit,
            "kind": "missing",
            "identifier": item.reference,
            "ci": item,
            "owner": cmdb.owner,
        },
        actor=None,
    )
    assert run("cmdb.configuration_audited").status == "met"  # owned, no due date passed
    ConfigurationAudit.objects.filter(pk=audit.pk).update(status="closed", closed_at=timezone.now())
    result = run("cmdb.configuration_audited")
    assert result.status == "partly_met" and audit.reference in result.message
    named = {(g.object_type, g.object_id) for g in result.gaps}
    assert named == {("cmdb.auditfinding", finding.pk), ("cmdb.configurationaudit", audit.pk)}


def test_each_ci_type_needs_an_audit_within_its_own_interval(ctx, cmdb):
    ci("srv", cmdb.server, status="in_use", attributes={"os": "Debian", "cpu_cores": 2})
    ci("thing", cmdb.generic, status="in_use")
    core_services.record_create(
        model=ConfigurationAudit,
        data={
            "title": "servers only",
            "status": "reconciled",
            "scope": "ci_type",
            "scope_ci_type": cmdb.server,
            "reconciled_at": timezone.now() - dt.timedelta(days=20),
        },
        actor=None,
    )
    result = run("cmdb.configuration_audited")  # one audit of one type does not cover the other
    assert result.status == "partly_met" and "generic" in result.message
    assert [(g.object_type, g.object_id) for g in result.gaps] == [("cmdb.citype", cmdb.generic.pk)]
    assert result.figures["ci_types_audited"] == 1
    core_services.record_create(
        model=ConfigurationAudit,
        data={
            "title": "all",
            "status": "reconciled",
            "reconciled_at": timezone.now() - dt.timedelta(days=60),
        },
        actor=None,
    )
    assert run("cmdb.configuration_audited").status == "met"
    CIType.objects.filter(pk=cmdb.generic.pk).update(audit_interval_days=30)  # audited monthly
    result = run("cmdb.configuration_audited")
    assert result.status == "partly_met" and "generic (30 d)" in result.message


def test_live_services_baselined(ctx, cmdb):
    service_type = ci_type("service", {})
    assert run("cmdb.live_services_baselined").status == "not_applicable"
    a = ci("Mail", service_type, status="in_use")
    b = ci("Portal", service_type, status="in_use")
    ci("Future", service_type, status="planned")
    assert run("cmdb.live_services_baselined").status == "not_met"
    services.baseline_create(actor=None, name="mail", cis=[a])
    result = run("cmdb.live_services_baselined")
    assert result.status == "partly_met" and [g.object_id for g in result.gaps] == [b.pk]
    services.baseline_create(actor=None, name="portal", cis=[b])
    assert run("cmdb.live_services_baselined").status == "met"


def test_software_has_master_copies(ctx, cmdb):
    app_type = ci_type("application", {})
    assert run("cmdb.software_has_master_copies").status == "not_applicable"
    app = ci("mail-relay", app_type, status="in_use")
    assert run("cmdb.software_has_master_copies").status == "not_met"
    copy = core_services.record_create(
        model=MasterCopy,
        data={"name": "Postfix", "version": "3.8", "storage_location": "dsl/postfix"},
        actor=None,
    )
    services.ci_update(actor=None, instance=app, data={}, m2m={"master_copies": [copy]})
    assert run("cmdb.software_has_master_copies").status == "met"
