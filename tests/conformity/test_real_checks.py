"""With the real checks and the shipped catalogues: an empty installation has almost nothing to judge (no
evidence, never "failed"), and one record changes exactly the results bound to the check that reads it."""

from __future__ import annotations

import json

from django.core.management import call_command

from servitium.conformity import selectors, services
from servitium.conformity.models import Requirement, Result
from tests.cmdb.conftest import ci, ci_type

CMDB_2011, CMDB_2018 = ("iso20000-1:2011", "9.1.s1"), ("iso20000-1:2018", "8.2.6.s1")


def result_for(run, slug, identifier) -> Result:
    return Result.objects.get(
        assessment=run, requirement__framework__slug=slug, requirement__identifier=identifier
    )


def check_status(result: Result, check_id: str) -> str:
    return next(c["status"] for c in result.checks if c["id"] == check_id)


def test_empty_installation_is_almost_entirely_without_evidence(ctx):
    run = services.assessment_run(actor=None)
    for edition in selectors.by_edition(run):
        if edition["framework"].startswith("iso20000-1"):
            counts = edition["counts"]
            assert counts["met"] == 0
            # Nothing to judge: no evidence, or not applicable where a rule holds for every record of a
            # kind and there are none. What fails is what must exist and does not (a change policy, a risk
            # register, an audit programme, a record of customer contact).
            nothing = counts["no_evidence"] + counts["not_applicable"]
            assert nothing >= 0.75 * sum(counts.values()), edition
            assert edition["failed"] <= 0.2 * sum(counts.values()), edition
    assert run.summary["check_errors"] == 0, run.check_outcomes


def test_one_record_moves_the_results_bound_to_its_check(ctx):
    first = services.assessment_run(actor=None)
    before = result_for(first, *CMDB_2011)
    assert check_status(before, "cmdb.ci_types_defined") == "not_applicable"

    ci("web-01", ci_type("web server"), attributes={"os": "Debian 12", "cpu_cores": 2})
    second = services.assessment_run(actor=None)
    for slug, identifier in (CMDB_2011, CMDB_2018):
        after = result_for(second, slug, identifier)
        assert check_status(after, "cmdb.ci_types_defined") == "met"
        assert any(e["object_type"] == "cmdb.citype" and e["url"] for e in after.evidence)

    moved = {(c["framework"], c["identifier"]) for c in selectors.diff(second, first)}
    # Only the configuration clauses, their parents and what lists them (scenarios, activities) may move.
    changed_checks = {
        cid
        for cid, outcome in second.check_outcomes.items()
        if outcome["status"] != first.check_outcomes[cid]["status"]
    }
    assert changed_checks <= {
        "cmdb.ci_types_defined",
        "cmdb.cis_have_owners",
        "cmdb.live_services_baselined",
        "cmdb.configuration_audited",
        "cmdb.software_has_master_copies",
        "cmdb.licences_within_limits",
        "cmdb.cis_uniquely_identified",
        "cmdb.ci_changes_traceable",
        "cmdb.update_access_controlled",
    }
    assert "cmdb.ci_types_defined" in changed_checks
    # Only the configuration clauses, the clauses above them and their crosswalk counterparts may move in
    # the two editions (scenarios and plan activities listing them may follow).
    allowed = set()
    bound = {key for cid in changed_checks for key in second.check_outcomes[cid]["requirements"]}
    for key in bound:
        slug, identifier = key.split("#")
        requirement = Requirement.objects.get(framework__slug=slug, identifier=identifier)
        for start in (requirement, *requirement.maps_to.all()):
            node = start
            while node is not None:
                allowed.add((node.framework.slug, node.identifier))
                node = node.parent
    editions = {m for m in moved if m[0].startswith("iso20000-1")}
    assert editions and editions <= allowed, editions - allowed


def test_cli_assess_table_and_json(ctx, capsys):
    call_command("assess", "--framework", "iso20000-1:2018")
    out = capsys.readouterr().out
    assert out.startswith("ASM") and "iso20000-1:2018:" in out and "10.2" in out
    call_command("assess", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data["reference"].startswith("ASM")
    assert {"requirement", "status", "evidence", "checks", "via_crosswalk"} <= set(data["results"][0])


def test_cli_rejects_an_unknown_framework(ctx):
    import pytest
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Unknown framework"):
        call_command("assess", "--framework", "nope")


def test_the_nightly_job_stores_a_scheduled_assessment(ctx):
    from servitium.conformity.jobs import assess_conformity
    from servitium.conformity.models import Assessment

    reference = assess_conformity.call_local()
    run = Assessment.objects.get(reference=reference)
    assert run.trigger == "scheduled"
    assert run.results.count() == Requirement.objects.count()
