"""The risk register's conformity checks, both ways: a register kept well meets them, the deliberate
kinds of gap fail them against the right leaf."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

import servitium
from servitium.core.checks import MET, NOT_APPLICABLE, NOT_MET, PARTLY_MET, REGISTRY
from servitium.risks import services
from servitium.risks.models import Risk
from tests.risks.conftest import assessed, risk


def run(check_id: str):
    return REGISTRY[check_id].run()


def _treated(owner, **data):
    found = assessed(owner, 4, 5, **data)
    services.action_create(
        actor=None,
        data={"risk": found, "description": "Fix", "owner": owner, "due_date": dt.date(2030, 1, 1)},
    )
    return services.risk_transition(
        actor=None, instance=found, transition="treat", data={"treatment_option": "reduce"}
    )


def test_requirements_are_leaves_of_the_catalogues():
    leaves = set()
    for edition in ("2011", "2018"):
        path = Path(servitium.__file__).parent / "conformity" / "frameworks" / f"iso20000-1-{edition}.yaml"
        data = yaml.safe_load(path.read_text())

        def walk(nodes, slug=data["slug"]):
            for node in nodes:
                if node.get("children"):
                    walk(node["children"])
                else:
                    leaves.add(f"{slug}#{node['id']}")

        walk(data["requirements"])
    ours = [c for c in REGISTRY.values() if c.id.startswith("risks.")]
    assert len(ours) >= 10
    for check in ours:
        assert set(check.requirements) <= leaves, check.id


def test_a_well_kept_register_meets_the_checks(ctx, staff):
    services.matrix_ensure()
    _treated(staff.owner, category="sms")
    _treated(staff.owner, category="service", customer_impact="Outage of mail")
    for check_id in (
        "risks.open_risks_assessed",
        "risks.beyond_appetite_treated",
        "risks.reviewed_on_schedule",
        "risks.service_risks_state_customer_effect",
        "risks.acceptance_criteria_set",
        "risks.approach_set",
        "risks.organizational_risks_recorded",
        "risks.service_risks_recorded",
        "risks.matrix_in_force",
    ):
        assert run(check_id).status == MET, check_id


def test_gaps_fail_against_the_right_leaf(ctx, staff):
    services.matrix_ensure()
    _treated(staff.owner)
    untreated = assessed(staff.owner, 5, 5, title="Untreated")
    result = run("risks.beyond_appetite_treated")
    assert result.status == PARTLY_MET and [g.object_id for g in result.gaps] == [untreated.pk]
    late = assessed(staff.owner, 1, 1, title="Late")
    Risk.objects.filter(pk=late.pk).update(review_date=dt.date(2020, 1, 1))
    result = run("risks.reviewed_on_schedule")
    assert result.status == PARTLY_MET and late.pk in [g.object_id for g in result.gaps]
    risk(title="Nobody's")
    assert run("risks.open_risks_assessed").status == PARTLY_MET
    assert run("risks.other_party_risks_recorded").status == NOT_MET
    assert run("risks.opportunities_pursued").status == NOT_MET


def test_nothing_to_judge(ctx):
    assert run("risks.open_risks_assessed").status == NOT_APPLICABLE
    assert run("risks.treatment_effect_evaluated").status == NOT_APPLICABLE
    assert run("risks.matrix_in_force").status == NOT_MET


def test_treatment_effect_needs_a_residual_assessment(ctx, staff):
    found = _treated(staff.owner)
    action = found.actions.get()
    services.action_transition(actor=None, instance=action, transition="complete")
    assert run("risks.treatment_effect_evaluated").status == NOT_MET
    services.risk_update(actor=None, instance=found, data={"residual_likelihood": 2, "residual_impact": 2})
    assert run("risks.treatment_effect_evaluated").status == MET
