"""The competence checks and the review input, both ways: records kept well meet them; the kinds of gap
the demo carries fail them against the right leaf."""

from __future__ import annotations

import datetime as dt

from servitium.competence import panels
from servitium.competence.models import ResourceBudget
from servitium.core.checks import MET, NOT_APPLICABLE, NOT_MET, PARTLY_MET, REGISTRY
from tests import factories
from tests.competence.conftest import create, held, requirement, training


def run(check_id: str):
    return REGISTRY[check_id].run()


TODAY = dt.date.today()


def test_well_kept_records_meet_the_checks(ctx, staff):
    requirement(staff.sql, 2, job_title="DBA")
    requirement(staff.linux, 2, team=staff.team)
    held(staff.ana, staff.sql, 3, assessed_on=TODAY, evidence="Certificate")
    held(staff.ana, staff.linux, 2, assessed_on=TODAY, evidence="Observed")
    held(staff.ben, staff.linux, 3, assessed_on=TODAY, evidence="RHCE")
    training(
        staff.ben, staff.linux, TODAY - dt.timedelta(days=30), result="passed", effectiveness="Ran upgrade"
    )
    create(ResourceBudget, service=staff.service, year=TODAY.year, budget=100)
    for check_id in (
        "competence.roles_have_requirements",
        "competence.people_meet_requirements",
        "competence.training_effectiveness_evaluated",
        "competence.records_have_evidence",
        "competence.services_resourced",
    ):
        assert run(check_id).status == MET, check_id
    assert run("competence.gaps_addressed").status == NOT_APPLICABLE


def test_gaps_fail_against_the_right_leaf(ctx, staff):
    requirement(staff.linux, 3, team=staff.team)  # nobody meets it
    held(staff.ana, staff.linux, 2, assessed_on=TODAY)  # no evidence
    held(staff.ben, staff.linux, 3, assessed_on=TODAY, evidence="Cert")
    training(
        staff.ben,
        staff.linux,
        TODAY - dt.timedelta(days=900),
        result="passed",
        expires_on=TODAY - dt.timedelta(days=1),
    )
    training(staff.ana, None, TODAY - dt.timedelta(days=10), result="attended")  # effect not evaluated
    factories.person("Loose End", ctx.provider, job_title="Auditor")  # a role without requirements
    factories.service("Unbudgeted")
    result = run("competence.people_meet_requirements")
    assert result.status == NOT_MET and result.figures["unmet_requirements"] == 1
    assert {g.object_id for g in result.gaps} == {staff.ana.pk, staff.ben.pk}
    assert run("competence.gaps_addressed").status == NOT_MET
    training(staff.ben, staff.linux, TODAY + dt.timedelta(days=20), result="booked")  # renewal booked
    assert run("competence.gaps_addressed").status == PARTLY_MET
    assert run("competence.roles_have_requirements").status == PARTLY_MET
    assert run("competence.records_have_evidence").status == PARTLY_MET
    assert run("competence.training_effectiveness_evaluated").status == NOT_MET
    assert run("competence.services_resourced").status == NOT_MET


def test_review_input_and_home_tile(ctx, staff):
    requirement(staff.linux, 3, team=staff.team)
    training(
        staff.ben,
        staff.linux,
        TODAY - dt.timedelta(days=900),
        result="passed",
        expires_on=TODAY - dt.timedelta(days=1),
    )
    create(ResourceBudget, service=staff.service, year=TODAY.year, budget=100, actual=150)
    figures = panels.review_input(TODAY.replace(month=1, day=1), TODAY, staff.agent)
    assert figures["gap_count"] == 2 and len(figures["unmet_roles"]) == 1
    assert [t.person for t in figures["expired_training"]] == [staff.ben]
    assert [b.service for b in figures["budgets"]["overspent"]] == [staff.service]
    assert panels.review_input(TODAY, TODAY, ctx.customer_a) is None
    tile = panels.sms_home(None, staff.agent)
    assert tile["gap_count"] == 2
    from django.template.loader import render_to_string

    html = render_to_string("competence/_review_input.html", figures)
    assert "Expired certificates" in html and "Over budget" in html
    assert "competence gaps" in render_to_string("competence/_sms_home_panel.html", {"panel": tile})


def test_requirements_name_one_role(ctx, staff):
    import pytest
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        requirement(staff.sql, 2)
    assert "job_title" in caught.value.message_dict
    with pytest.raises(ValidationError):
        requirement(staff.sql, 2, job_title="DBA", team=staff.team)
    with pytest.raises(ValidationError) as caught:
        held(staff.ana, staff.sql, 2, assessed_by=staff.ana)
    assert "assessed_by" in caught.value.message_dict


def test_people_technology_and_information_managed_both_ways(ctx):
    """2011 4.5.3.c: a team member without an assessed competence, a CI in use without an owner and a
    records series without an owner are each named; once assessed and owned, the check is met."""
    from servitium.competence.models import Competence, CompetenceArea, PersonCompetence
    from servitium.core import services as core_services
    from servitium.core.checks import REGISTRY
    from servitium.parties.models import Team
    from tests.cmdb.conftest import ci, ci_type
    from tests.documents.conftest import series

    check = REGISTRY["competence.resources_managed"]
    assert check.run().status == "not_applicable"
    anna = factories.person("Anna Agent", ctx.provider)
    core_services.record_create(
        model=Team, data={"name": "Desk", "organization": ctx.provider}, m2m={"members": [anna]}, actor=None
    )
    host = ci("host-9", ci_type("managed server", {}), status="in_use")
    register = series()
    result = check.run()
    assert result.status == "not_met"
    assert {(g.object_type, g.object_id) for g in result.gaps} == {
        ("parties.person", anna.pk),
        ("cmdb.configurationitem", host.pk),
        ("documents.recordseries", register.pk),
    }
    area = core_services.record_create(model=CompetenceArea, data={"name": "Desk"}, actor=None)
    skill = core_services.record_create(model=Competence, data={"area": area, "name": "Triage"}, actor=None)
    held = core_services.record_create(
        model=PersonCompetence, data={"person": anna, "competence": skill, "level": 3}, actor=None
    )
    assert ("parties.person", anna.pk) in {
        (g.object_type, g.object_id) for g in check.run().gaps
    }  # unassessed
    core_services.record_update(instance=held, data={"assessed_on": dt.date(2026, 11, 1)}, actor=None)
    owner = factories.person("Olaf Owner", ctx.provider)
    for record in (host, register):
        core_services.record_update(instance=record, data={"owner": owner}, actor=None)
    assert check.run().status == "met", check.run().message
