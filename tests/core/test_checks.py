"""The check registry: checks register with requirement ids and return results with evidence."""

import io

import pytest
from django.core.management import call_command

from servitium.core.checks import MET, NOT_APPLICABLE, PARTLY_MET, REGISTRY, CheckResult, register
from tests import factories


def test_catalog_check_is_registered_and_follows_the_records(db):
    check = REGISTRY["catalog.live_services_have_owner"]
    assert "iso20000-1:2018#8.2.4" in check.requirements
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
