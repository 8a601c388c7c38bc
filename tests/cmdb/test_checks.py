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


def test_assets_carry_their_asset_register_number(db):
    """2011 9.1.s11 / 2018 8.2.5.s2: a CI in use (or in maintenance) of a financial-asset type without its
    asset number is named; planned CIs and other types are not judged; the API finds a CI by the number."""
    from servitium.core import services as core_services
    from tests import factories
    from tests.base import client
    from tests.cmdb.conftest import ci_type

    rule = "cmdb.assets_in_the_asset_register"
    server = ci_type("asset server", {}, financial_asset=True)
    document = ci_type("runbook", {})
    ci("doc-1", document, status="in_use")
    ci("planned-1", server, status="planned")
    assert run(rule).status == "not_applicable"
    host = ci("host-1", server, status="in_use")
    result = run(rule)
    assert result.status == "not_met" and [g.object_id for g in result.gaps] == [host.pk]
    core_services.record_update(instance=host, data={"asset_number": "FA-2026-0001"}, actor=None)
    assert run(rule).status == "met"
    admin = factories.user("cmdb_admin", None, ["configuration-manager"])
    found = client(admin).get("/api/v1/cis/", {"asset_number": "FA-2026-0001"}).json()
    assert [row["id"] for row in found["results"]] == [host.pk]
