"""The REST resources of information security: generated suites for every record type, the imports of
the control register over HTTP, and the summary."""

from __future__ import annotations

import datetime as dt

from servitium.core import services as core_services
from servitium.security.models import (
    AccessGrant,
    SecurityControl,
    SecurityImpactAssessment,
    SecurityIncidentLink,
    SecurityRiskAssessment,
    SecuritySettings,
)
from tests import factories
from tests.base import RecordAPISuite, client
from tests.changes.conftest import change
from tests.security.conftest import TODAY, assessment, control, grant, risk, security_incident

SECURITY = ["security-manager"]
FOREIGN = ["incident-manager", "catalog-manager"]


def _provider_person(ctx, name="Owner"):
    return factories.person(factories.unique(name), ctx.provider)


class TestSecuritySettingsAPI(RecordAPISuite):
    endpoint = "security-settings"
    model = SecuritySettings
    writer_roles = SECURITY
    foreign_roles = FOREIGN
    customer_visible = False

    def make(self, ctx):
        return core_services.record_create(
            model=SecuritySettings, data={}, derived={"objectives": "Keep customer data safe"}, actor=None
        )

    def create_payload(self, ctx):
        return {"objectives": "No data breach", "risk_approach": "Matrix", "assessment_interval_months": 6}

    def invalid_payload(self, ctx):
        return {"assessment_interval_months": 99}

    def update_payload(self, ctx):
        return {"require_change_assessment": False}


class TestSecurityControlAPI(RecordAPISuite):
    endpoint = "security-controls"
    model = SecurityControl
    writer_roles = ["security-agent"]
    foreign_roles = FOREIGN
    customer_visible = False
    deletable = False  # agents do not delete

    def make(self, ctx):
        return control(factories.unique("C"), owner=_provider_person(ctx), last_reviewed=TODAY)

    def create_payload(self, ctx):
        return {"identifier": "NET-7", "title": "Segmented networks", "category": "technological"}

    def invalid_payload(self, ctx):
        return {"identifier": "NA-1", "title": "Not here", "status": "not_applicable"}

    def update_payload(self, ctx):
        return {"status": "implemented", "evidence": "Firewall rule review FW-2026-03"}


class TestSecurityRiskAssessmentAPI(RecordAPISuite):
    endpoint = "security-risk-assessments"
    model = SecurityRiskAssessment
    writer_roles = SECURITY
    foreign_roles = FOREIGN
    customer_visible = False

    def make(self, ctx):
        return assessment(_provider_person(ctx))

    def create_payload(self, ctx):
        return {
            "date": str(TODAY),
            "scope": "Object storage",
            "assessor": _provider_person(ctx).pk,
            "next_due": str(TODAY + dt.timedelta(days=365)),
        }

    def invalid_payload(self, ctx):
        return {
            "date": str(TODAY),
            "scope": "x",
            "assessor": _provider_person(ctx).pk,
            "next_due": "2000-01-01",
        }

    def update_payload(self, ctx):
        return {"result_summary": "Two new risks"}


class TestSecurityIncidentLinkAPI(RecordAPISuite):
    endpoint = "security-incident-links"
    model = SecurityIncidentLink
    writer_roles = SECURITY
    foreign_roles = FOREIGN
    customer_visible = False

    def make(self, ctx):
        return core_services.record_create(
            model=SecurityIncidentLink,
            data={},
            derived={"incident": security_incident(ctx.org_a)},
            actor=None,
        )

    def create_payload(self, ctx):
        return {"incident": security_incident(ctx.org_a).pk, "review_notes": "Filter rule missing"}

    def invalid_payload(self, ctx):
        plain = security_incident(ctx.org_a, is_security=False, security_category="", security_risk=None)
        return {"incident": plain.pk}

    def update_payload(self, ctx):
        return {
            "review_notes": "Mail filter rule was missing",
            "controls": [control(factories.unique("M")).pk],
        }


class TestSecurityImpactAssessmentAPI(RecordAPISuite):
    endpoint = "security-impact-assessments"
    model = SecurityImpactAssessment
    writer_roles = SECURITY
    foreign_roles = FOREIGN
    customer_visible = False

    def make(self, ctx):
        return core_services.record_create(
            model=SecurityImpactAssessment,
            data={},
            derived={
                "change": change(factories.unique("Patch")),
                "impact": "none",
                "assessor": _provider_person(ctx),
            },
            actor=None,
        )

    def create_payload(self, ctx):
        return {"change": change("Open port").pk, "impact": "none", "assessor": _provider_person(ctx).pk}

    def invalid_payload(self, ctx):
        return {"change": change("Open port").pk, "impact": "high", "assessor": _provider_person(ctx).pk}

    def update_payload(self, ctx):
        return {"impact": "low", "notes": "Only internal"}


class TestAccessGrantAPI(RecordAPISuite):
    endpoint = "access-grants"
    model = AccessGrant
    writer_roles = SECURITY
    foreign_roles = FOREIGN
    customer_visible = False

    def make(self, ctx):
        return grant(_provider_person(ctx), ctx.org_a, last_reviewed=TODAY)

    def create_payload(self, ctx):
        return {
            "organization": ctx.org_b.pk,
            "purpose": "Data export",
            "granted_by": _provider_person(ctx).pk,
            "valid_from": str(TODAY),
        }

    def invalid_payload(self, ctx):
        return {"purpose": "Nobody named", "granted_by": _provider_person(ctx).pk, "valid_from": str(TODAY)}

    def update_payload(self, ctx):
        return {"revoked": True, "revoked_on": str(TODAY)}


def test_control_review_is_worked_out_and_flagged(ctx, sec):
    api = client(sec.agent)
    body = api.post(
        "/api/v1/security-controls/",
        {
            "identifier": "BK-1",
            "title": "Backups",
            "last_reviewed": "2025-01-31",
            "review_interval_months": 1,
        },
        format="json",
    ).json()
    assert body["next_review"] == "2025-02-28" and body["review_overdue"] is True
    late = api.get("/api/v1/security-controls/?review_overdue=true").json()["results"]
    assert [c["identifier"] for c in late] == ["BK-1"]
    control("OK-1", last_reviewed=TODAY)
    assert api.get("/api/v1/security-controls/?review_overdue=false").json()["count"] == 1


def test_csv_import_over_http_is_all_or_nothing(ctx, sec):
    api = client(sec.agent)
    good = "identifier,title,category,status\nAC-1,Access reviews,organizational,implemented\n"
    bad = good + "AC-2,Bad,organizational,done\n"
    refused = api.post("/api/v1/security-controls/import-csv/", {"csv": bad}, format="json")
    assert refused.status_code == 400
    assert "Row 3, column status" in refused.json()["csv"][0]
    assert not SecurityControl.objects.exists()
    done = api.post("/api/v1/security-controls/import-csv/", {"csv": good}, format="json")
    assert done.status_code == 200 and done.json() == {"created": 1, "updated": 0}
    assert (
        client(factories.user("im", ctx.provider, ["incident-manager"]))
        .post("/api/v1/security-controls/import-csv/", {"csv": good}, format="json")
        .status_code
        == 403
    )


def test_oscal_import_over_http(ctx, sec):
    catalog = {
        "catalog": {
            "uuid": "0b4a6f1e-0000-4000-8000-000000000001",
            "metadata": {"title": "Own catalogue", "version": "1"},
            "groups": [
                {
                    "id": "tech",
                    "title": "Technological controls",
                    "controls": [
                        {
                            "id": "t-1",
                            "title": "Encrypt disks",
                            "parts": [{"name": "statement", "prose": "All disks."}],
                        }
                    ],
                }
            ],
        }
    }
    response = client(sec.agent).post(
        "/api/v1/security-controls/import-oscal/", {"catalog": catalog}, format="json"
    )
    assert response.status_code == 200, response.content
    found = SecurityControl.objects.get(identifier="t-1")
    assert found.category == "technological" and found.description == "All disks."
    broken = client(sec.agent).post(
        "/api/v1/security-controls/import-oscal/", {"catalog": {"x": 1}}, format="json"
    )
    assert broken.status_code == 400 and "catalog" in broken.json()


def test_summary(ctx, sec):
    control("A-1", status="implemented", last_reviewed=TODAY)
    control("A-2", status="planned")
    control("A-3", status="not_applicable", justification="No paper")
    grant(sec.owner, sec.supplier, last_reviewed=TODAY - dt.timedelta(days=400))
    assessment(sec.owner, risks=[risk(sec.owner)])
    body = client(sec.manager).get("/api/v1/security-summary/").json()
    assert body["controls"] == 3 and body["applicable"] == 2 and body["implemented"] == 1
    assert body["overdue_controls"] == 1 and body["overdue_grants"] == 1 and body["grants"] == 1
    assert body["assessment_overdue"] is False and body["policy"] is None
    assert body["policy_problems"] == ["No document is named as the information security policy."]
    assert (
        client(factories.user("cm", ctx.provider, ["catalog-manager"]))
        .get("/api/v1/security-summary/")
        .status_code
        == 403
    )


def test_evidence_files_attach_to_a_control(ctx, sec):
    from django.core.files.uploadedfile import SimpleUploadedFile

    found = control("EV-1")
    upload = SimpleUploadedFile("review.txt", b"Quarterly access review: 3 accounts removed.", "text/plain")
    response = client(sec.agent).post(
        "/api/v1/attachments/",
        {"object_type": "security.securitycontrol", "object_id": found.pk, "file": upload},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    listed = (
        client(sec.manager)
        .get("/api/v1/attachments/", {"object_type": "security.securitycontrol", "object_id": found.pk})
        .json()
    )
    assert [a["name"] for a in listed["results"]] == ["review.txt"]
    outsider = client(factories.user("cm2", ctx.provider, ["catalog-manager"]))
    assert outsider.get("/api/v1/attachments/", {"object_id": found.pk}).json()["count"] == 0
