"""Conformity checks of configuration management follow the records (2011 9.1 / 2018 8.2.6)."""

from __future__ import annotations

from servitium.cmdb import services
from servitium.cmdb.models import CIType
from servitium.core.checks import REGISTRY
from tests.cmdb.conftest import ci


def run(check_id: str):
    return REGISTRY[check_id].run()


def test_requirements():
    assert REGISTRY["cmdb.ci_types_defined"].requirements == (
        "iso20000-1:2011#9.1.s1",
        "iso20000-1:2018#8.2.6.s1",
    )


def test_types_in_use_are_defined(ctx, cmdb):
    assert run("cmdb.ci_types_defined").status == "not_applicable"
    ci("srv", cmdb.server, attributes={"os": "x", "cpu_cores": 1})
    assert run("cmdb.ci_types_defined").status == "met"
    ci("thing", cmdb.generic)  # no attribute schema
    result = run("cmdb.ci_types_defined")
    assert result.status == "partly_met" and [g.object_id for g in result.gaps] == [cmdb.generic.pk]
    CIType.objects.filter(pk=cmdb.generic.pk).update(attribute_schema={"note": {"type": "string"}})
    assert run("cmdb.ci_types_defined").status == "met"
    CIType.objects.filter(pk=cmdb.server.pk).update(description="")
    assert run("cmdb.ci_types_defined").status == "partly_met"


def test_cis_in_use_have_owners(ctx, cmdb):
    assert run("cmdb.cis_have_owners").status == "not_applicable"
    item = ci("srv", cmdb.generic, status="planned")
    assert run("cmdb.cis_have_owners").status == "not_applicable"  # only CIs in use count
    services.ci_update(actor=None, instance=item, data={"status": "in_use"})
    result = run("cmdb.cis_have_owners")
    assert result.status == "not_met" and [g.object_id for g in result.gaps] == [item.pk]
    services.ci_update(actor=None, instance=item, data={"owner": cmdb.owner})
    assert run("cmdb.cis_have_owners").status == "met"


def test_default_types_are_defined(ctx, cmdb):
    types = services.ensure_default_types()
    for name, kind in types.items():
        assert kind.description and kind.attribute_schema, name
