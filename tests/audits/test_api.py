"""The REST resources of internal audit: generated suites; the done-when line (an auditor assigned to
audit their own process is refused, through the API); the checklist from the catalogue and the live
results; findings that open improvement entries; the lifecycle and the report."""

from __future__ import annotations

import datetime as dt

from servitium.audits import services
from servitium.audits.models import Audit, AuditProgramme, ChecklistItem, Finding, ProgrammeItem
from servitium.conformity import services as conformity_services
from servitium.conformity.models import Requirement
from servitium.core import services as core_services
from servitium.core.models import ChangeRecord
from servitium.improvement.models import ImprovementOpportunity, Nonconformity
from tests import factories
from tests.base import RecordAPISuite, client

from .conftest import CLAUSES, START, audit


def a_programme(ctx) -> AuditProgramme:
    """A programme of a year nobody has planned yet (before 2027, which the create payload uses)."""
    year = 2000 + AuditProgramme.objects.count()
    owner = factories.person(factories.unique("Paula Programme"), ctx.provider)
    return core_services.record_create(model=AuditProgramme, data={"year": year, "owner": owner}, actor=None)


class TestProgrammeAPI(RecordAPISuite):
    endpoint = "audit-programmes"
    model = AuditProgramme
    writer_roles = ["audit-manager"]
    foreign_roles = ["incident-manager", "sms-agent"]
    customer_visible = False

    def make(self, ctx):
        return a_programme(ctx)

    def create_payload(self, ctx):
        return {"year": 2027, "owner": factories.person("Olaf Owner", ctx.provider).pk, "approach": "By risk"}

    def invalid_payload(self, ctx):
        return {"year": 1900}

    def update_payload(self, ctx):
        return {"approach": "Risk and earlier results", "methods": "Sampling"}


class TestProgrammeItemAPI(RecordAPISuite):
    endpoint = "programme-items"
    model = ProgrammeItem
    writer_roles = ["audit-agent"]
    foreign_roles = ["incident-manager"]
    customer_visible = False
    deletable = False  # audit managers delete items, agents do not

    def make(self, ctx):
        programme = a_programme(ctx)
        return services.programme_item_create(
            actor=None, data={"programme": programme, "area": "incidents", "clauses": "", "planned_month": 3}
        )

    def create_payload(self, ctx):
        programme = a_programme(ctx)
        return {
            "programme": programme.pk,
            "area": "changes",
            "clauses": CLAUSES,
            "risk_level": "high",
            "planned_month": 5,
        }

    def invalid_payload(self, ctx):
        return {"area": "nowhere", "planned_month": 13}

    def update_payload(self, ctx):
        return {"risk_level": "low", "planned_month": 9}


class TestAuditAPI(RecordAPISuite):
    endpoint = "audits"
    model = Audit
    writer_roles = ["audit-agent"]
    foreign_roles = ["incident-manager", "change-manager"]
    customer_visible = False
    deletable = False

    def make(self, ctx):
        lead = factories.person(factories.unique("Lead"), ctx.provider)
        return services.audit_create(
            actor=None,
            data={
                "title": "Incident management",
                "scope_areas": ["incidents"],
                "scope_clauses": "iso20000-1:2018#8.6.1",
                "criteria": "The standard",
                "planned_start": START,
                "planned_end": START,
                "lead_auditor": lead,
            },
        )

    def create_payload(self, ctx):
        return {
            "title": "Supplier management",
            "scope_areas": ["suppliers"],
            "scope_clauses": "iso20000-1:2018#8.3.4",
            "criteria": "The standard and our supplier policy",
            "planned_start": "2026-08-03",
            "planned_end": "2026-08-04",
            "lead_auditor": factories.person(factories.unique("Lead"), ctx.provider).pk,
        }

    def invalid_payload(self, ctx):
        return {"title": "", "planned_start": "2026-08-03", "planned_end": "2026-08-01"}

    def update_payload(self, ctx):
        return {"criteria": "The standard, 2018 edition", "planned_end": "2026-05-08"}


class TestFindingAPI(RecordAPISuite):
    endpoint = "internal-audit-findings"
    model = Finding
    writer_roles = ["audit-agent"]
    foreign_roles = ["incident-manager"]
    customer_visible = False
    deletable = False

    def running(self, ctx):
        started = TestAuditAPI().make(ctx)
        return services.audit_transition(actor=None, instance=started, transition="start")

    def make(self, ctx):
        return services.finding_create(
            actor=None,
            data={"audit": self.running(ctx), "grade": "observation", "description": "Tidy records"},
        )

    def create_payload(self, ctx):
        return {"audit": self.running(ctx).pk, "grade": "observation", "description": "Good notes"}

    def invalid_payload(self, ctx):
        return {"grade": "catastrophe", "description": ""}

    def update_payload(self, ctx):
        return {"description": "Very good notes"}


def test_an_auditor_assigned_to_audit_their_own_process_is_refused(ctx, team):
    """The done-when line, through the API alone: the change manager may not audit change management, as
    lead or as auditor, on create or update, nor an auditee the audit they receive; nothing is written."""
    api = client(team.manager)
    payload = {
        "title": "Change management",
        "programme_item": team.item.pk,
        "criteria": "The standard",
        "planned_start": "2026-05-04",
        "planned_end": "2026-05-05",
        "lead_auditor": team.change_manager.pk,
    }
    before = ChangeRecord.objects.count()
    response = api.post("/api/v1/audits/", payload, format="json")
    assert response.status_code == 400, response.json()
    [message] = response.json()["lead_auditor"]
    assert "Chris Change" in message and "change-manager" in message and "Change management" in message
    response = api.post(
        "/api/v1/audits/",
        {**payload, "lead_auditor": team.auditor.pk, "auditors": [team.change_manager.pk]},
        format="json",
    )
    assert response.status_code == 400 and "Chris Change" in response.json()["auditors"][0]
    response = api.post(
        "/api/v1/audits/",
        {**payload, "lead_auditor": team.auditor.pk, "auditees": [team.auditor.pk]},
        format="json",
    )
    assert response.status_code == 400 and "auditee" in response.json()["lead_auditor"][0]
    assert ChangeRecord.objects.count() == before and not Audit.objects.exists()
    # Independent: accepted; the scope comes from the programme item.
    created = api.post("/api/v1/audits/", {**payload, "lead_auditor": team.auditor.pk}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (
        body["reference"].startswith("AUD")
        and body["scope_areas"] == ["changes"]
        and body["scope_clauses"] == CLAUSES
    )
    refused = api.patch(
        f"/api/v1/audits/{body['id']}/", {"auditors": [team.change_manager.pk]}, format="json"
    )
    assert refused.status_code == 400 and "auditors" in refused.json()
    # A role granted later is caught when the audit starts.
    team.auditor_user.roles = ["audit-agent", "change-agent"]
    team.auditor_user.save()
    started = api.post(f"/api/v1/audits/{body['id']}/transitions/", {"transition": "start"}, format="json")
    assert started.status_code == 409 and "Ivan Independent" in started.json()["detail"]


def test_reading_roles_do_not_make_an_area_ones_own(ctx, team):
    """Top management, auditors and roles that only read an area may audit it."""
    reader_user, reader = factories.user("tm", ctx.provider, ["top-management"]), None
    reader = factories.person("Tara Top", ctx.provider, user=reader_user)
    assert audit(team, lead_auditor=reader).pk


def test_checklist_from_the_catalogue_and_the_live_results(ctx, team):
    run = conformity_services.assessment_run(actor=None)
    planned = audit(team)
    api = client(team.auditor_user)
    response = api.post(f"/api/v1/audits/{planned.pk}/transitions/", {"transition": "start"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "in_progress"
    leaves = Requirement.objects.filter(
        framework__slug="iso20000-1:2018", identifier__startswith="8.5.1.", children__isnull=True
    )
    items = ChecklistItem.objects.filter(audit=planned)
    assert items.count() == leaves.count() > 5
    assert set(items.values_list("requirement_id", flat=True)) == set(leaves.values_list("pk", flat=True))
    statuses = dict(run.results.filter(requirement__in=leaves).values_list("requirement_id", "status"))
    assert all(i.live_status == statuses[i.requirement_id] for i in items)
    # Auditors write the verdict and notes only; reporting needs every verdict and a summary.
    first = items.first()
    url = f"/api/v1/checklist-items/{first.pk}/"
    assert api.patch(url, {"live_status": "met"}, format="json").status_code == 400
    assert api.patch(url, {"verdict": "conforms", "notes": "Sampled 10"}, format="json").status_code == 200
    assert api.post("/api/v1/checklist-items/", {"audit": planned.pk}, format="json").status_code == 403
    transitions = f"/api/v1/audits/{planned.pk}/transitions/"
    assert api.post(transitions, {"transition": "report"}, format="json").status_code == 400
    response = api.post(transitions, {"transition": "report", "summary": "Fine"}, format="json")
    assert response.status_code == 409 and "no verdict" in response.json()["detail"]
    items.update(verdict="conforms")
    response = api.post(transitions, {"transition": "report", "summary": "Fine"}, format="json")
    assert response.status_code == 200 and response.json()["reported_on"]
    assert api.patch(url, {"verdict": "observation"}, format="json").status_code == 409  # kept as reported
    report = api.get(f"/api/v1/audits/{planned.pk}/report/").json()
    assert report["items"] == items.count() and report["verdicts"]["conforms"] == items.count()


def test_findings_open_improvement_entries_and_close_waits_for_them(ctx, team):
    running = services.audit_transition(actor=None, instance=audit(team), transition="start")
    api = client(team.auditor_user)
    requirement = Requirement.objects.get(framework__slug="iso20000-1:2018", identifier="8.5.1.3.s2")
    major = api.post(
        "/api/v1/internal-audit-findings/",
        {
            "audit": running.pk,
            "grade": "major_nc",
            "description": "Emergency changes approved by the implementer",
            "requirement": requirement.pk,
            "owner": team.change_manager.pk,
        },
        format="json",
    ).json()
    nc = Nonconformity.objects.get(pk=major["nonconformity"])
    assert (nc.grade, nc.source_kind, nc.requirement) == (
        "major",
        "internal_audit",
        "iso20000-1:2018#8.5.1.3.s2",
    )
    assert nc.source == Finding.objects.get(pk=major["id"]) and nc.source_reference == running.reference
    assert nc.owner == team.change_manager
    ofi = api.post(
        "/api/v1/internal-audit-findings/",
        {"audit": running.pk, "grade": "opportunity", "description": "CAB agenda"},
        format="json",
    ).json()
    assert ImprovementOpportunity.objects.get(pk=ofi["opportunity"]).source_kind == "internal_audit"
    ChecklistItem.objects.filter(audit=running).update(verdict="conforms")
    transitions = f"/api/v1/audits/{running.pk}/transitions/"
    assert (
        api.post(transitions, {"transition": "report", "summary": "One major"}, format="json").status_code
        == 200
    )
    refused = api.post(
        "/api/v1/internal-audit-findings/",
        {"audit": running.pk, "grade": "observation", "description": "late"},
        format="json",
    )
    assert refused.status_code == 400 and "audit" in refused.json()
    response = api.post(transitions, {"transition": "close"}, format="json")
    assert response.status_code == 409 and nc.reference in response.json()["detail"]
    Nonconformity.objects.filter(pk=nc.pk).update(status="closed")
    assert api.post(transitions, {"transition": "close"}, format="json").json()["status"] == "closed"
    assert api.delete(f"/api/v1/audits/{running.pk}/").status_code in (400, 403)


def test_suggested_frequency_follows_risk_open_findings_and_the_last_result(ctx, team):
    body = client(team.manager).get(f"/api/v1/programme-items/{team.item.pk}/frequency/").json()
    assert body["suggested_frequency_months"] == 6 and body["last_audited"] is None  # high risk
    ProgrammeItem.objects.filter(pk=team.item.pk).update(risk_level="low")
    team.item.refresh_from_db()
    from servitium.audits import selectors
    from servitium.improvement import services as improvement_services

    assert selectors.suggested_frequency(team.item) == 24
    improvement_services.nonconformity_open(
        kind="assessment", description="x", requirement="iso20000-1:2018#8.5.1.3.s2", check_id="c", actor=None
    )
    assert selectors.suggested_frequency(team.item) == 12
    done = services.audit_transition(actor=None, instance=audit(team), transition="start")
    services.finding_create(actor=None, data={"audit": done, "grade": "major_nc", "description": "y"})
    ChecklistItem.objects.filter(audit=done).update(verdict="conforms")
    services.audit_transition(actor=None, instance=done, transition="report", data={"summary": "s"})
    assert selectors.suggested_frequency(team.item) == 6
    assert client(team.manager).get(f"/api/v1/programme-items/{team.item.pk}/frequency/").json()[
        "last_audited"
    ] == str(dt.date.today())
