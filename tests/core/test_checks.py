"""The check registry: checks register with requirement ids and return results with evidence."""

import io

import pytest
from django.core.management import call_command

from servitium.core.checks import MET, NOT_APPLICABLE, PARTLY_MET, REGISTRY, CheckResult, register
from tests import factories


def test_catalog_check_is_registered_and_follows_the_records(db):
    check = REGISTRY["catalog.live_services_have_owner"]
    assert "iso20000-1:2018#8.2.4.s1" in check.requirements
    assert check.run().status == NOT_APPLICABLE
    provider = factories.organization("P", "provider")
    owner = factories.person("Owner", provider)
    factories.service("Good", owner=owner, description="Does things")
    assert check.run().status == MET
    factories.service("Orphan")
    result = check.run()
    assert result.status == PARTLY_MET
    assert [g.label for g in result.gaps] == ["Orphan"]
    assert result.figures == {"total": 2, "conforming": 1}


def test_requirement_ids_must_name_a_framework():
    with pytest.raises(ValueError):
        register("bad.check", requirements=["6.1"], title="x")


def test_bad_status_is_refused():
    with pytest.raises(ValueError):
        CheckResult("fine", "x")


def test_run_checks_command(db):
    out = io.StringIO()
    call_command("run_checks", stdout=out)
    assert "catalog.live_services_have_owner" in out.getvalue()


def test_a_record_rule_that_asks_for_a_record_to_exist(db, monkeypatch):
    from servitium.core import checks as registry

    monkeypatch.setattr(registry, "REGISTRY", {})
    rule = registry.record_rule(
        "test.live_service_exists",
        requirements=["iso20000-1:2018#8.2.4.s1"],
        title="A live service is in the catalogue",
        model="catalog.Service",
        where={"status": "live"},
    )
    assert rule.kind == registry.RECORD_RULE and registry.REGISTRY["test.live_service_exists"] is rule
    result = rule.run()
    assert result.status == "not_met" and "No services are recorded" in result.message
    factories.service("Planned one", status="pipeline")
    assert rule.run().status == "not_met"
    live = factories.service("Mail")
    result = rule.run()
    assert result.status == MET and [e.object_id for e in result.evidence] == [live.pk]


def test_a_record_rule_that_every_record_must_follow_names_those_that_do_not(db, monkeypatch):
    from django.db.models import Q

    from servitium.core import checks as registry

    monkeypatch.setattr(registry, "REGISTRY", {})
    rule = registry.record_rule(
        "test.live_services_described",
        requirements=["iso20000-1:2018#8.2.4.s2"],
        title="Every live service is described",
        model="catalog.Service",
        where=lambda: {"status": "live"},  # asked at run time
        every=~Q(description=""),
    )
    assert rule.run().status == NOT_APPLICABLE  # nothing to judge
    factories.service("Described", description="Mail for everyone")
    assert rule.run().status == MET
    bare = factories.service("Bare")
    result = rule.run()
    assert result.status == PARTLY_MET and "Bare" in result.message
    assert [(g.object_type, g.object_id) for g in result.gaps] == [("catalog.service", bare.pk)]
    assert result.figures == {"total": 2, "conforming": 1}
