"""Configuration audits: discovered data reconciled against the records becomes findings (missing,
unexpected, differing), each settled through the CI services; the audit closes only when all are closed."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from servitium.cmdb.models import AuditFinding, ConfigurationAudit, ConfigurationItem
from servitium.core import services as core_services
from servitium.core.models import ChangeRecord
from tests.base import client
from tests.cmdb.conftest import ci

CSV = """reference,name,type,status,version,attr:os,attr:cpu_cores
{web},web-01,test server,in_use,,Debian 12,4
,db-01,test server,in_use,,Debian 12,16
,rogue-box,test server,in_use,,Ubuntu 24.04,2
,,test server,in_use,,,
{web},web-01 again,test server,in_use,,,
,planned-host,test server,bogus,,,
"""


@pytest.fixture
def recorded(ctx, cmdb):
    attrs = {"os": "Debian 12", "cpu_cores": 4}
    return {
        "web": ci("web-01", cmdb.server, status="in_use", attributes=attrs, owner=cmdb.owner),
        "db": ci("db-01", cmdb.server, status="in_use", attributes={"os": "Debian 11", "cpu_cores": 16}),
        "gone": ci("old-01", cmdb.server, status="in_use", attributes=attrs, owner=cmdb.owner),
        "planned": ci("future-01", cmdb.server, status="planned", attributes=attrs),
    }


def new_audit(cmdb, **data) -> ConfigurationAudit:
    return core_services.record_create(
        model=ConfigurationAudit, data={"title": "Q4 audit", "auditor": cmdb.owner, **data}, actor=None
    )


def upload(api, audit, content: str, name: str):
    return api.post(
        f"/api/v1/configuration-audits/{audit.pk}/import/",
        {"file": SimpleUploadedFile(name, content.encode(), content_type="text/csv")},
        format="multipart",
    )


def transition(api, resource, obj, name, **data):
    return api.post(f"/api/v1/{resource}/{obj.pk}/transitions/", {"transition": name, **data}, format="json")


def test_csv_reconciliation_finds_missing_unexpected_and_differing(ctx, cmdb, recorded):
    api = client(cmdb.manager)
    audit = new_audit(cmdb)
    response = upload(api, audit, CSV.format(web=recorded["web"].reference), "scan.csv")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "in_progress" and body["discovered_count"] == 3
    assert [e["row"] for e in body["row_errors"]] == [5, 6, 7]  # no identifier, duplicate, bad status
    assert transition(api, "configuration-audits", audit, "reconcile").status_code == 200
    findings = {(f.kind, f.identifier): f for f in AuditFinding.objects.filter(audit=audit)}
    assert set(findings) == {
        ("differing", recorded["db"].reference),
        ("unexpected", "rogue-box"),
        ("missing", recorded["gone"].reference),
    }  # web-01 matches exactly; the planned CI is not expected to be out there
    differing = findings["differing", recorded["db"].reference]
    assert differing.differences == {"attributes.os": ["Debian 11", "Debian 12"]}
    assert findings["missing", recorded["gone"].reference].owner == cmdb.owner
    assert all(f.status == "open" and f.due_date for f in findings.values())
    assert api.get(f"/api/v1/configuration-audits/{audit.pk}/").json()["findings_open"] == 3


def test_json_upload_and_follow_up_actions_close_the_audit(ctx, cmdb, recorded):
    api = client(cmdb.manager)
    audit = new_audit(cmdb)
    rows = [
        {"reference": recorded["web"].reference, "version": "2.4"},
        {"name": "db-01", "type": "test server", "attributes": {"os": "Debian 11", "cpu_cores": 16}},
        {"name": "old-01"},
        {
            "name": "new-01",
            "type": "test server",
            "status": "in_use",
            "attributes": {"os": "Alma 9", "cpu_cores": 2},
        },
    ]
    content = json.dumps({"items": rows})
    response = api.post(
        f"/api/v1/configuration-audits/{audit.pk}/import/",
        {"file": SimpleUploadedFile("scan.json", content.encode(), content_type="application/json")},
        format="multipart",
    )
    assert response.status_code == 200 and response.json()["row_errors"] == []
    transition(api, "configuration-audits", audit, "reconcile")
    findings = {f.kind: f for f in AuditFinding.objects.filter(audit=audit)}
    assert set(findings) == {"differing", "unexpected"}
    assert findings["differing"].differences == {"version": ["", "2.4"]}
    assert transition(api, "configuration-audits", audit, "close").status_code == 409

    response = api.post(f"/api/v1/audit-findings/{findings['differing'].pk}/apply-discovered/")
    assert response.status_code == 200 and response.json()["resolution"] == "record_updated"
    recorded["web"].refresh_from_db()
    assert recorded["web"].version == "2.4"
    assert ChangeRecord.objects.filter(
        object_id=recorded["web"].pk, object_type="cmdb.configurationitem", action="update"
    ).exists()

    response = api.post(f"/api/v1/audit-findings/{findings['unexpected'].pk}/register-ci/", {}, format="json")
    assert response.status_code == 200, response.json()
    registered = ConfigurationItem.objects.get(name="new-01")
    assert registered.attributes == {"os": "Alma 9", "cpu_cores": 2} and registered.status == "in_use"
    assert response.json()["ci"] == registered.pk

    assert transition(api, "configuration-audits", audit, "close").status_code == 200
    audit.refresh_from_db()
    assert audit.status == "closed" and audit.closed_at


def test_missing_ci_retired_or_difference_accepted(ctx, cmdb, recorded):
    api = client(cmdb.manager)
    audit = new_audit(cmdb)
    api.post(
        f"/api/v1/configuration-audits/{audit.pk}/import/", {"rows": [{"name": "web-01"}]}, format="json"
    )
    transition(api, "configuration-audits", audit, "reconcile")
    missing = {f.ci_id: f for f in AuditFinding.objects.filter(audit=audit, kind="missing")}
    assert set(missing) == {recorded["db"].pk, recorded["gone"].pk}
    assert api.post(f"/api/v1/audit-findings/{missing[recorded['gone'].pk].pk}/retire-ci/").status_code == 200
    recorded["gone"].refresh_from_db()
    assert recorded["gone"].status == "retired"
    finding = missing[recorded["db"].pk]
    assert api.post(f"/api/v1/audit-findings/{finding.pk}/apply-discovered/").status_code == 409  # wrong kind
    assert transition(api, "audit-findings", finding, "close").status_code == 400  # no resolution
    response = transition(api, "audit-findings", finding, "close", resolution="accepted", note="On loan")
    assert response.status_code == 200 and response.json()["status"] == "closed"


def test_unreadable_file_and_wrong_state_write_nothing(ctx, cmdb, recorded):
    api = client(cmdb.manager)
    audit = new_audit(cmdb)
    before = ChangeRecord.objects.count()
    assert upload(api, audit, "[not json", "scan.json").status_code == 400
    assert upload(api, audit, "host;os\nx;y\n", "scan.csv").status_code == 400
    assert transition(api, "configuration-audits", audit, "reconcile").status_code == 409  # nothing imported
    assert ChangeRecord.objects.count() == before
    audit.refresh_from_db()
    assert audit.status == "planned" and audit.discovered == []


def test_service_scope_limits_missing_cis(ctx, cmdb, recorded):
    from tests.cmdb.conftest import relate

    svc = ci("Web service", cmdb.generic, status="in_use")
    relate(svc, "runs_on", recorded["web"])
    audit = new_audit(cmdb, scope="service", scope_service=svc)
    api = client(cmdb.manager)
    api.post(
        f"/api/v1/configuration-audits/{audit.pk}/import/", {"rows": [{"name": "Web service"}]}, format="json"
    )
    transition(api, "configuration-audits", audit, "reconcile")
    assert list(AuditFinding.objects.filter(audit=audit).values_list("kind", "ci")) == [
        ("missing", recorded["web"].pk)
    ]


def test_customers_and_other_areas_cannot_import(ctx, cmdb, recorded):
    from tests import factories

    audit = new_audit(cmdb)
    assert (
        client(ctx.customer_a)
        .post(f"/api/v1/configuration-audits/{audit.pk}/import/", {"rows": []}, format="json")
        .status_code
        == 404
    )
    other = factories.user("im", ctx.provider, ["incident-manager"])
    response = client(other).post(
        f"/api/v1/configuration-audits/{audit.pk}/import/", {"rows": [{"name": "x"}]}, format="json"
    )
    assert response.status_code in (403, 404)
    audit.refresh_from_db()
    assert audit.status == "planned"


def test_every_finding_and_its_settlement_is_in_the_change_log(ctx, cmdb, recorded):
    api = client(cmdb.manager)
    audit = new_audit(cmdb)
    rows = [{"name": "web-01", "version": "2.4"}, {"name": "brand-new", "type": "test server"}]
    api.post(f"/api/v1/configuration-audits/{audit.pk}/import/", {"rows": rows}, format="json")
    assert transition(api, "configuration-audits", audit, "reconcile").status_code == 200
    findings = list(AuditFinding.objects.filter(audit=audit))
    created = ChangeRecord.objects.filter(object_type="cmdb.auditfinding", action="create")
    assert sorted(created.values_list("object_id", flat=True)) == sorted(f.pk for f in findings)
    assert {r.actor_name for r in created} == {cmdb.manager.username}
    assert all(audit.reference in r.message for r in created)
    unexpected = next(f for f in findings if f.kind == "unexpected")
    response = api.post(
        f"/api/v1/audit-findings/{unexpected.pk}/register-ci/",
        {"ci_type": cmdb.generic.pk},
        format="json",
    )
    assert response.status_code == 200, response.json()
    # The CI registered is written with the finding's closing, in the one entry that records it.
    entries = ChangeRecord.objects.filter(object_type="cmdb.auditfinding", object_id=unexpected.pk)
    assert [e.action for e in entries.order_by("id")] == ["create", "transition"]
    assert entries.get(action="transition").changes["ci_id"] == [None, response.json()["ci"]]


def test_a_settled_finding_states_the_review_of_its_effect(ctx, cmdb, recorded):
    """2018 8.1.s2: an audit's difference is an unintended change; the rule names every settled finding
    without a review of its effect and mitigation, and the review is written through the API."""
    from servitium.core.checks import REGISTRY

    rule = REGISTRY["cmdb.unintended_changes_reviewed"]
    api = client(cmdb.manager)
    audit = new_audit(cmdb)
    api.post(
        f"/api/v1/configuration-audits/{audit.pk}/import/", {"rows": [{"name": "web-01"}]}, format="json"
    )
    transition(api, "configuration-audits", audit, "reconcile")
    assert rule.run().status == "not_applicable"  # open findings are not settled yet
    gone = AuditFinding.objects.get(audit=audit, kind="missing", ci=recorded["gone"])
    assert api.post(f"/api/v1/audit-findings/{gone.pk}/retire-ci/").status_code == 200
    result = rule.run()
    assert result.status == "not_met" and [g.object_id for g in result.gaps] == [gone.pk]
    review = "Switched off in March without a change; nothing depended on it."
    response = api.patch(f"/api/v1/audit-findings/{gone.pk}/", {"effect_review": review}, format="json")
    assert response.status_code == 200 and response.json()["effect_review"] == review
    assert rule.run().status == "met"
