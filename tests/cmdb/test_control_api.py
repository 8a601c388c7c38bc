"""Generated suites for the resources that control the configuration: `baselines`,
`configuration-audits`, `audit-findings` and `master-copies` (provider-only: customers see none)."""

from __future__ import annotations

from servitium.cmdb import services
from servitium.cmdb.models import (
    AuditFinding,
    Baseline,
    CIType,
    ConfigurationAudit,
    ConfigurationItem,
    MasterCopy,
)
from servitium.core import services as core_services
from tests import factories
from tests.base import RecordAPISuite, client
from tests.cmdb.conftest import ci, ci_type

SHA = "a" * 64


def suite_ci(ctx) -> ConfigurationItem:
    kind = CIType.objects.filter(name="generic").first() or ci_type("generic", {})
    return ConfigurationItem.objects.filter(name="suite app").first() or ci(
        "suite app", kind, customers=[ctx.org_a]
    )


class TestBaselineAPI(RecordAPISuite):
    endpoint = "baselines"
    model = Baseline
    writer_roles = ["configuration-manager"]
    foreign_roles = ["incident-manager", "change-manager"]
    customer_visible = False

    def make(self, ctx):
        return services.baseline_create(actor=None, name="Before upgrade", cis=[suite_ci(ctx)])

    def create_payload(self, ctx):
        return {"name": factories.unique("baseline"), "purpose": "Quarterly", "cis": [suite_ci(ctx).pk]}

    def invalid_payload(self, ctx):
        return {"name": "no CIs"}

    def update_payload(self, ctx):
        return {"purpose": "Corrected purpose"}


class TestConfigurationAuditAPI(RecordAPISuite):
    endpoint = "configuration-audits"
    model = ConfigurationAudit
    writer_roles = ["configuration-manager"]
    foreign_roles = ["incident-manager"]
    customer_visible = False

    def make(self, ctx):
        return core_services.record_create(model=ConfigurationAudit, data={"title": "Q1 audit"}, actor=None)

    def create_payload(self, ctx):
        return {"title": "Q2 audit", "scope": "all", "planned_for": "2027-04-01"}

    def invalid_payload(self, ctx):
        return {"title": "Typed", "scope": "ci_type"}  # no CI type named

    def update_payload(self, ctx):
        return {"notes": "Network segment B included"}


class TestAuditFindingAPI(RecordAPISuite):
    endpoint = "audit-findings"
    model = AuditFinding
    writer_roles = ["configuration-manager"]
    foreign_roles = ["incident-manager"]
    customer_visible = False

    def audit(self):
        return ConfigurationAudit.objects.first() or core_services.record_create(
            model=ConfigurationAudit, data={"title": "Findings audit"}, actor=None
        )

    def make(self, ctx):
        return core_services.record_create(
            model=AuditFinding,
            data={"audit": self.audit(), "kind": "missing", "identifier": "CI9"},
            actor=None,
        )

    def create_payload(self, ctx):
        return {"audit": self.audit().pk, "kind": "unexpected", "identifier": "rogue-host"}

    def invalid_payload(self, ctx):
        return {"audit": self.audit().pk, "kind": "strange", "identifier": "x"}

    def update_payload(self, ctx):
        return {"notes": "Owner informed", "due_date": "2027-01-31"}


class TestMasterCopyAPI(RecordAPISuite):
    endpoint = "master-copies"
    model = MasterCopy
    writer_roles = ["configuration-agent"]
    foreign_roles = ["incident-manager"]
    deletable = False  # agents may not delete
    customer_visible = False

    def make(self, ctx):
        return core_services.record_create(
            model=MasterCopy,
            data={"name": "Postfix", "version": factories.unique("3.8"), "storage_location": "dsl://postfix"},
            actor=None,
        )

    def create_payload(self, ctx):
        return {
            "name": "Keycloak",
            "kind": "software",
            "version": factories.unique("24."),
            "storage_location": "https://dsl.example.net/keycloak.tar.gz",
            "checksum_sha256": SHA.upper(),
        }

    def invalid_payload(self, ctx):
        return {"name": "Bad", "version": "1", "storage_location": "x", "checksum_sha256": "not-a-hash"}

    def update_payload(self, ctx):
        return {"storage_location": "s3://dsl/postfix-3.8.tar.gz"}


def test_checksum_is_stored_in_lower_case_and_cis_reference_copies(ctx, cmdb):
    api = client(cmdb.manager)
    body = api.post(
        "/api/v1/master-copies/",
        {
            "name": "Image",
            "kind": "image",
            "version": "1",
            "storage_location": "x",
            "checksum_sha256": "AB" * 32,
        },
        format="json",
    ).json()
    assert body["checksum_sha256"] == "ab" * 32
    item = ci("vm", cmdb.generic)
    response = api.patch(f"/api/v1/cis/{item.pk}/", {"master_copies": [body["id"]]}, format="json")
    assert response.status_code == 200 and response.json()["master_copies"] == [body["id"]]
    assert api.get(f"/api/v1/master-copies/{body['id']}/").json()["cis"] == [item.pk]
