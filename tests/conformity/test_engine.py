"""The assessment engine: roll-up rule, attestations, crosswalk, scenario readiness, errors, immutability."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from servitium.conformity import selectors, services
from servitium.conformity.engine import combine
from servitium.conformity.models import Assessment, Attestation, Exclusion, Framework, Requirement, Result
from servitium.conformity.sync import sync_catalogues
from servitium.core import services as core_services
from servitium.core.checks import CheckResult, register
from servitium.core.models import ChangeRecord
from tests import factories

MINI = Path(__file__).parent / "fixtures" / "mini"
TODAY = dt.date.today


@pytest.fixture
def mini(db, isolated_registry):
    sync_catalogues(MINI)
    state = {"status": "met"}

    @register("test.one_one", requirements=["test:2011#1.1"], title="1.1 holds")
    def one_one() -> CheckResult:
        return CheckResult(state["status"], f"1.1 is {state['status']}")

    return state


def req(slug: str, identifier: str) -> Requirement:
    return Requirement.objects.get(framework__slug=slug, identifier=identifier)


def statuses(assessment: Assessment) -> dict[str, str]:
    return {
        f"{r.requirement.framework.slug}#{r.requirement.identifier}": r.status
        for r in Result.objects.filter(assessment=assessment).select_related("requirement__framework")
        if r.requirement.framework.slug.startswith("test")
    }


def attest(ctx, requirement: Requirement, *, until: dt.date) -> Attestation:
    return core_services.record_create(
        model=Attestation,
        data={
            "requirement": requirement,
            "statement": "Staff were briefed on the policy; sign-in sheet attached.",
            "evidence": "Sign-in sheet of the briefing (attached).",
            "attested_by": factories.person("Ann Attester", ctx.provider),
            "reviewed_by": factories.person("Rob Reviewer", ctx.provider),
            "valid_from": until - dt.timedelta(days=365),
            "valid_until": until,
        },
        actor=None,
    )


def test_combine_rule():
    assert combine(["met", "met", "not_applicable"]) == "met"
    assert combine(["met", "not_met"]) == "partly_met"
    assert combine(["partly_met", "not_met"]) == "partly_met"
    assert combine(["not_met", "not_met"]) == "not_met"
    # "no evidence" is never a failure, and never hides one
    assert combine(["met", "no_evidence"]) == "no_evidence"
    assert combine(["no_evidence", "not_met"]) == "not_met"
    assert combine(["met", "no_evidence", "not_met"]) == "partly_met"
    assert combine(["not_applicable"]) is None and combine([]) is None


def test_roll_up_with_checks_attestations_and_children(ctx, mini):
    run = services.assessment_run(actor=None)
    got = statuses(run)
    assert got["test:2011#1.1"] == "met"
    assert got["test:2011#1.2"] == "no_evidence"  # needs an attestation, none recorded: nothing to judge
    assert got["test:2011#1"] == "no_evidence"  # half shown is not met, and not failed either
    message = Result.objects.get(assessment=run, requirement=req("test:2011", "1.2")).message
    assert "No attestation recorded for test:2011#1.2" in message
    assert run.summary["outcomes"]["test:2011"] == {
        "met": 1,
        "failed": 0,
        "no_evidence": 2,
        "not_applicable": 0,
    }

    attestation = attest(ctx, req("test:2011", "1.2"), until=TODAY() + dt.timedelta(days=30))
    run = services.assessment_run(actor=None)
    assert statuses(run)["test:2011#1"] == "met"
    result = Result.objects.get(assessment=run, requirement=req("test:2011", "1.2"))
    assert result.status == "met" and result.attestation_id == attestation.pk

    Attestation.objects.filter(pk=attestation.pk).update(valid_until=TODAY() - dt.timedelta(days=1))
    run = services.assessment_run(actor=None)
    assert statuses(run)["test:2011#1.2"] == "not_met"  # expired counts as not met, and is named
    result = Result.objects.get(assessment=run, requirement=req("test:2011", "1.2"))
    assert "expired on" in result.message
    assert {"object_type": "conformity.attestation", "object_id": attestation.pk} in [
        {k: g[k] for k in ("object_type", "object_id")} for g in result.gaps
    ]
    assert statuses(run)["test:2011#1"] == "partly_met"


def test_no_evidence_is_its_own_status_and_all_not_applicable_is_not_applicable(ctx, mini):
    mini["status"] = "not_applicable"
    run = services.assessment_run(actor=None)
    assert statuses(run)["test:2011#1.1"] == "not_applicable"
    unproven = Result.objects.get(assessment=run, requirement=req("test:2018", "8.1"))
    assert unproven.status == "no_evidence" and "No evidence yet" in unproven.message


def test_a_failing_leaf_moves_every_ancestor_and_the_scenario(ctx, mini):
    attest(ctx, req("test:2011", "1.2"), until=TODAY() + dt.timedelta(days=30))
    before = statuses(services.assessment_run(actor=None))
    assert before["test:2011#1"] == before["test-9:2015#S01"] == before["test:2018#8"] == "met"
    mini["status"] = "not_met"
    after = statuses(services.assessment_run(actor=None))
    assert after["test:2011#1.1"] == "not_met"
    assert after["test:2011#1"] == "partly_met"
    assert after["test:2018#8.1"] == "not_met"  # through the crosswalk
    assert after["test:2018#8"] == "partly_met"
    assert after["test-9:2015#S01"] == "not_met"


def exclude(ctx, requirement: Requirement, *, approved: bool = True):
    data = {"requirement": requirement, "justification": "We run no such service; see the scope statement."}
    if approved:
        data |= {"approved_by": factories.person("Ada Approver", ctx.provider), "approved_at": TODAY()}
    return core_services.record_create(model=Exclusion, data=data, actor=None)


def test_an_approved_exclusion_makes_the_requirement_and_its_parts_not_applicable(ctx, mini):
    exclude(ctx, req("test:2011", "1.2"), approved=False)
    assert statuses(services.assessment_run(actor=None))["test:2011#1.2"] == "no_evidence"
    exclusion = exclude(ctx, req("test:2011", "1.2"))
    run = services.assessment_run(actor=None)
    got = statuses(run)
    assert got["test:2011#1.2"] == "not_applicable"
    assert got["test:2011#1"] == "met"  # the excluded part is left out of the roll-up
    result = Result.objects.get(assessment=run, requirement=req("test:2011", "1.2"))
    assert "Excluded" in result.message and result.evidence[0]["object_id"] == exclusion.pk

    exclude(ctx, req("test:2011", "1"))
    got = statuses(services.assessment_run(actor=None))
    assert got["test:2011#1"] == got["test:2011#1.1"] == "not_applicable"


def test_an_exclusion_approval_names_approver_and_date(ctx, mini):
    with pytest.raises(ValidationError):
        core_services.record_create(
            model=Exclusion,
            data={"requirement": req("test:2011", "1.2"), "justification": "x", "approved_at": TODAY()},
            actor=None,
        )


def test_crosswalk_shows_a_result_under_the_other_edition(ctx, mini):
    run = services.assessment_run(actor=None)
    mapped = Result.objects.get(assessment=run, requirement=req("test:2018", "8.1"))
    assert mapped.status == "met"
    assert mapped.via_crosswalk == "test:2011#1.1"
    assert statuses(run)["test:2018#8.2"] == "no_evidence"  # needs an attestation; 1.2 has none either
    assert statuses(run)["test:2018#8"] == "no_evidence"

    attest(ctx, req("test:2011", "1.2"), until=TODAY() + dt.timedelta(days=30))
    run = services.assessment_run(actor=None)
    attested = Result.objects.get(assessment=run, requirement=req("test:2018", "8.2"))
    assert attested.status == "met" and attested.via_crosswalk == "test:2011#1.2"
    assert statuses(run)["test:2018#8"] == "met"


def test_scenario_is_ready_when_all_its_clauses_are_met(ctx, mini):
    run = services.assessment_run(actor=None)
    assert statuses(run)["test-9:2015#S01"] == "met"
    mini["status"] = "partly_met"
    run = services.assessment_run(actor=None)
    assert statuses(run)["test-9:2015#S01"] == "partly_met"


def test_scenario_readiness_is_the_share_of_its_applicable_clauses_met(ctx, mini):
    [scenario] = selectors.by_scenario(services.assessment_run(actor=None), "test-9:2015")
    assert (scenario["clauses_met"], scenario["clauses_applicable"], scenario["share_met"]) == (1, 1, 1.0)
    assert scenario["ready"] is True
    mini["status"] = "not_met"
    [scenario] = selectors.by_scenario(services.assessment_run(actor=None), "test-9:2015")
    assert scenario["ready"] is False and scenario["share_met"] == 0.0 and scenario["clauses_failed"] == 1
    assert scenario["unmet"] == ["1.1"]
    exclude(ctx, req("test:2011", "1.1"))  # an excluded clause no longer holds the scenario back
    [scenario] = selectors.by_scenario(services.assessment_run(actor=None), "test-9:2015")
    assert scenario["clauses_applicable"] == 0 and scenario["ready"] is True


def test_a_failing_check_is_an_error_result_and_the_run_goes_on(ctx, mini):
    @register("test.broken", requirements=["test:2018#8.1"], title="broken")
    def broken() -> CheckResult:
        raise ZeroDivisionError("division by zero")

    run = services.assessment_run(actor=None)
    result = Result.objects.get(assessment=run, requirement=req("test:2018", "8.1"))
    assert result.status == "not_met"
    assert "ZeroDivisionError" in result.message
    assert result.checks == [
        {"id": "test.broken", "status": "not_met", "message": result.checks[0]["message"], "error": True}
    ]
    assert statuses(run)["test:2011#1.1"] == "met"
    assert run.summary["check_errors"] == 1


def test_run_for_one_framework_stores_only_its_results(ctx, mini):
    run = services.assessment_run(actor=None, framework=Framework.objects.get(slug="test:2018"))
    slugs = set(Result.objects.filter(assessment=run).values_list("requirement__framework__slug", flat=True))
    assert slugs == {"test:2018"}
    assert statuses(run)["test:2018#8.1"] == "met"  # the crosswalk still sees the other edition


def test_assessments_and_results_are_immutable(ctx, mini):
    run = services.assessment_run(actor=None)
    result = Result.objects.filter(assessment=run).first()
    result.status = "met"
    with pytest.raises(ValidationError):
        result.save()
    with pytest.raises(ValidationError):
        result.delete()
    run.summary = {}
    with pytest.raises(ValidationError):
        run.save()
    with pytest.raises(ValidationError):
        run.delete()


def test_diff_between_runs(ctx, mini):
    first = services.assessment_run(actor=None)
    mini["status"] = "not_met"
    second = services.assessment_run(actor=None)
    changes = {
        (c["framework"], c["identifier"]): (c["before"], c["after"]) for c in selectors.diff(second, first)
    }
    assert changes[("test:2011", "1.1")] == ("met", "not_met")
    assert changes[("test:2018", "8.1")] == ("met", "not_met")
    assert ("test:2011", "1.2") not in changes


def test_rollups(ctx, mini):
    run = services.assessment_run(actor=None)
    editions = {e["framework"]: e for e in selectors.by_edition(run)}
    assert editions["test:2011"]["counts"] == {
        "met": 1,
        "partly_met": 0,
        "not_met": 0,
        "no_evidence": 2,
        "not_applicable": 0,
    }
    assert editions["test:2011"]["failed"] == 0 and editions["test:2011"]["no_evidence"] == 2
    assert editions["test:2011"]["share_met"] == 0.333
    clauses = selectors.by_clause(run, "test:2011")
    assert [(c["identifier"], c["level"]) for c in clauses] == [("1", 1), ("1.1", 2), ("1.2", 2)]
    [scenario] = selectors.by_scenario(run, "test-9:2015")
    assert scenario["ready"] is True and scenario["applicable_clauses"] == ["1.1"]


def test_assessment_run_is_fast_in_queries(ctx, mini):
    """A constant number of queries besides the checks' own; results and their change-log entries (one
    per result) are inserted in bulk."""
    with CaptureQueriesContext(connection) as captured:
        run = services.assessment_run(actor=None)
    results = [q for q in captured if q["sql"].startswith('INSERT INTO "conformity_result"')]
    logged = [
        q
        for q in captured
        if q["sql"].startswith('INSERT INTO "core_changerecord"') and "conformity.result" in q["sql"]
    ]
    others = [q for q in captured if q not in results and q not in logged]
    # 16: approved exclusions; 17: the open findings in the improvement register
    assert len(others) <= 17, [q["sql"][:80] for q in others]
    assert len(results) <= Requirement.objects.count() // 80 + 1
    assert len(logged) <= Requirement.objects.count() // 60 + 1  # SQLite: 999 parameters, 16 per entry
    assert ChangeRecord.objects.filter(object_type="conformity.result").count() == run.results.count()
