"""Evidence rules are bound to leaf obligations, and the coverage report says what can judge each one, in
the API, the UI and `servitium assess --coverage`."""

from __future__ import annotations

import json

from django.core.management import call_command

from servitium.conformity import coverage
from servitium.conformity.models import Framework, Requirement
from servitium.core.checks import CHECK, RECORD_RULE, REGISTRY
from tests.base import browser, client


def test_every_check_and_record_rule_is_bound_to_leaf_obligations(db):
    keys = {
        f"{slug}#{ident}": has_children
        for slug, ident, has_children in (
            (r.framework.slug, r.identifier, r.children.exists())
            for r in Requirement.objects.select_related("framework").filter(
                framework__slug__in=coverage.EDITIONS
            )
        )
    }
    kinds = {c.kind for c in REGISTRY.values()}
    assert kinds == {CHECK, RECORD_RULE}
    for check in REGISTRY.values():
        for key in check.requirements:
            assert key in keys, (check.id, key)
            assert not keys[key], f"{check.id} is bound to {key}, which has sub-requirements"


def test_coverage_counts_each_leaf_once_and_names_its_rules(db):
    for report in coverage.coverage_all():
        assert report["leaves"] == sum(report[k] for k in coverage.COVERAGES)
        assert report["check"] > 40 and report["record_rule"] > 5
        by_ident = {leaf["identifier"]: leaf for leaf in report["obligations"]}
        if report["framework"] == "iso20000-1:2018":
            assert by_ident["8.2.6.s5"]["rules"] == ["cmdb.configuration_audited"]
            assert by_ident["8.3.4.1.s8"]["coverage"] == "record_rule"
            assert by_ident["8.2.3.s1"]["coverage"] == "attestation_only"
            assert "8.3.2" in report["fully_covered"]
        else:
            assert by_ident["9.2.s10"]["rules"] == ["changes.reviewed_after_implementation"]
            assert "6.1.s5" in report["fully_covered"]


def test_every_leaf_obligation_of_both_editions_has_a_way_to_be_judged(db):
    """No leaf of 2011 clauses 4-9 or 2018 clauses 4-10 is left with nothing: each has a check, a record
    rule or (where only a person can vouch for it) an attestation; and most are judged by records."""
    for report in coverage.coverage_all():
        nothing = [leaf["identifier"] for leaf in report["obligations"] if leaf["coverage"] == "nothing"]
        assert nothing == [], (report["framework"], nothing)
        assert report["share_automated"] > 0.9, report["framework"]


def test_coverage_in_the_api_the_ui_and_the_cli(ctx, capsys):
    framework = Framework.objects.get(slug="iso20000-1:2011")
    body = client(ctx.admin).get(f"/api/v1/frameworks/{framework.pk}/coverage/").json()
    assert body["framework"] == "iso20000-1:2011" and body["leaves"] == len(body["obligations"])
    page = browser(ctx.admin).get("/conformity/coverage/?edition=iso20000-1:2011").content.decode()
    assert "9.1.s9" in page and "cmdb.configuration_audited" in page
    call_command("assess", "--coverage")
    out = capsys.readouterr().out
    assert "iso20000-1:2018:" in out and "record rule" in out and "not_met" not in out
    call_command("assess", "--coverage", "--framework", "iso20000-1:2018", "--format", "json")
    [report] = json.loads(capsys.readouterr().out)
    assert report["framework"] == "iso20000-1:2018"
