"""The conformity checks of information security, both ways: a programme kept well meets them, the
deliberate kinds of gap fail them against the right leaf."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

import servitium
from servitium.core import services as core_services
from servitium.core.checks import MET, NOT_APPLICABLE, NOT_MET, PARTLY_MET, REGISTRY
from servitium.documents import services as document_services
from servitium.incidents.models import Incident
from servitium.security.models import SecurityImpactAssessment, SecurityIncidentLink
from tests.base import client
from tests.changes.conftest import change
from tests.documents.conftest import person_user
from tests.security.conftest import (
    TODAY,
    assessment,
    control,
    grant,
    policy_in_force,
    risk,
    security_incident,
    settings,
)


def run(check_id: str):
    return REGISTRY[check_id].run()


def test_requirements_are_leaves_of_the_catalogues():
    leaves = set()
    for edition in ("2011", "2018"):
        path = Path(servitium.__file__).parent / "conformity" / "frameworks" / f"iso20000-1-{edition}.yaml"
        data = yaml.safe_load(path.read_text())

        def walk(nodes, slug=data["slug"]):
            for node in nodes:
                if node.get("children"):
                    walk(node["children"], slug)
                else:
                    leaves.add(f"{slug}#{node['id']}")

        walk(data["requirements"])
    ours = [c for c in REGISTRY.values() if c.id.startswith("security.")]
    assert len(ours) >= 15
    bound = {r for c in ours for r in c.requirements}
    assert bound <= leaves
    wanted = {r for r in leaves if "#8.7.3." in r or "2011#6.6." in r}
    assert wanted <= bound, sorted(wanted - bound)


def _top_management(ctx):
    return person_user("ceo", "Clara Chief", ctx.provider, ["top-management"])


def test_policy_checks_pass_when_in_force_approved_by_top_management_and_acknowledged(ctx, sec):
    doc = policy_in_force(sec.agent, _top_management(ctx))
    settings(policy=doc)
    for check in ("security.policy_documented", "security.policy_approved"):
        assert run(check).status == MET
    # Every provider person with an account is asked; all acknowledge.
    from servitium.documents.selectors import audience

    for person in audience(doc):
        document_services.acknowledgement_create(
            actor=None, data={"document": doc}, derived={"person": person}
        )
    assert run("security.policy_communicated").status == MET


def test_policy_checks_fail_without_policy_or_top_management_approval_or_acknowledgements(ctx, sec):
    for check in ("security.policy_documented", "security.policy_approved", "security.policy_communicated"):
        assert run(check).status == NOT_MET
    doc = policy_in_force(sec.agent, sec.manager)  # the security manager is not top management
    settings(policy=doc)
    result = run("security.policy_approved")
    assert result.status == NOT_MET and "top management" in result.message
    assert run("security.policy_communicated").status in (NOT_MET, PARTLY_MET)


def test_objectives_and_risk_approach(ctx, sec):
    assert run("security.objectives_set").status == NOT_MET
    settings(objectives="No customer data leaves the platform", risk_approach="The 5 x 5 matrix")
    assert run("security.objectives_set").status == MET
    assert run("security.risk_approach_set").status == MET


def test_risk_assessment_on_time_and_risks_treated(ctx, sec):
    assert run("security.risk_assessment_on_time").status == NOT_MET
    assert run("security.risks_treated_by_controls").status == NOT_APPLICABLE
    found = risk(sec.owner)
    other = risk(sec.owner, "Ransomware on backups")
    control("AC-1", risks=[found])
    assessment(sec.owner, risks=[found, other])
    assert run("security.risk_assessment_on_time").status == MET
    assert run("security.risks_treated_by_controls").status == PARTLY_MET
    control("BK-1", risks=[other])
    assert run("security.risks_treated_by_controls").status == MET
    assessment(sec.owner, date=TODAY - dt.timedelta(days=5), next_due=TODAY - dt.timedelta(days=1))
    late = run("security.risk_assessment_on_time")
    assert late.status == NOT_MET and "due on" in late.message


def test_controls_documented_implemented_and_reviewed(ctx, sec):
    good = {"owner": sec.owner, "status": "implemented", "evidence": "Report R-1", "last_reviewed": TODAY}
    control("A-1", **good)
    control("A-2", status="not_applicable", justification="No own premises", owner=sec.owner)
    for check in (
        "security.controls_documented",
        "security.controls_implemented",
        "security.controls_reviewed",
    ):
        assert run(check).status == MET, check
    control("A-3", status="planned", description="")
    control("A-4", **{**good, "last_reviewed": TODAY - dt.timedelta(days=400)})
    assert run("security.controls_documented").status == PARTLY_MET
    implemented = run("security.controls_implemented")
    assert implemented.status == PARTLY_MET and implemented.figures["conforming"] == 2
    reviewed = run("security.controls_reviewed")
    assert reviewed.status == PARTLY_MET and {g.label.split()[0] for g in reviewed.gaps} == {"A-3", "A-4"}


def test_external_access(ctx, sec):
    assert run("security.external_parties_identified").status == NOT_MET
    assert run("security.external_access_reviewed").status == NOT_APPLICABLE
    grant(sec.owner, sec.supplier, last_reviewed=TODAY)
    assert run("security.external_parties_identified").status == MET
    assert run("security.external_access_reviewed").status == MET
    grant(sec.owner, ctx.org_a, valid_from=TODAY - dt.timedelta(days=400))
    assert run("security.external_access_reviewed").status == PARTLY_MET


def test_changes_assessed_before_approval(chg, sec):
    assert run("security.changes_assessed").status == NOT_APPLICABLE
    first, second = change("Open port", cis=[chg.lone]), change("Rotate keys", cis=[chg.lone])
    core_services.record_create(
        model=SecurityImpactAssessment,
        data={},
        derived={"change": first, "impact": "low", "assessor": sec.owner},
        actor=None,
    )
    for c in (first, second):
        client(chg.agent).post(
            f"/api/v1/changes/{c.pk}/transitions/", {"transition": "submit"}, format="json"
        )
        for member in (chg.alice, chg.bob):
            client(member).post(f"/api/v1/changes/{c.pk}/approvals/", {"decision": "approve"}, format="json")
    result = run("security.changes_assessed")
    assert result.status == PARTLY_MET and [g.object_id for g in result.gaps] == [second.pk]


def test_security_incidents_classified_resolved_and_reviewed(ctx, sec):
    incident = security_incident(ctx.org_a)
    assert run("security.incidents_classified").status == MET
    assert run("security.incidents_reviewed").status == NOT_APPLICABLE
    Incident.objects.filter(pk=incident.pk).update(status="resolved")
    assert run("security.incidents_reviewed").status == NOT_MET
    link = core_services.record_create(
        model=SecurityIncidentLink,
        data={},
        derived={"incident": incident, "reviewed_by": sec.owner, "reviewed_on": TODAY},
        m2m={"controls": [control("MF-1")]},
        actor=None,
    )
    assert run("security.incidents_reviewed").status == MET
    assert link.incident_id == incident.pk
    unclassified = security_incident(ctx.org_a, security_category="", security_risk=None)
    assert run("security.incidents_classified").status == PARTLY_MET
    assert run("security.incidents_resolved").status == NOT_APPLICABLE
    Incident.objects.filter(pk=unclassified.pk).update(created=TODAY - dt.timedelta(days=40))
    assert run("security.incidents_resolved").status == NOT_MET
