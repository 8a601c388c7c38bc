"""Fixtures of the CMDB tests: configuration staff, a small type with a schema, and a CI builder."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from servitium.cmdb import services
from servitium.cmdb.models import CIType, ConfigurationItem
from servitium.core import services as core_services
from tests import factories

SERVER_SCHEMA = {
    "os": {"type": "string", "required": True},
    "cpu_cores": {"type": "integer", "required": True},
    "memory_gb": {"type": "number"},
    "virtualised": {"type": "boolean"},
    "installed_on": {"type": "date"},
    "tier": {"type": "string", "choices": ["gold", "silver"]},
}


def ci_type(name: str = "test server", schema: dict | None = None, **extra) -> CIType:
    return core_services.record_create(
        model=CIType,
        data={
            "name": name,
            "description": "For tests",
            "attribute_schema": SERVER_SCHEMA if schema is None else schema,
            **extra,
        },
        actor=None,
    )


def ci(name: str, kind: CIType, *, customers=(), attributes=None, **data) -> ConfigurationItem:
    return services.ci_create(
        actor=None,
        data={"name": name, "ci_type": kind, "attributes": attributes or {}, **data},
        m2m={"customers": list(customers)},
    )


def relate(source, kind: str, target):
    return services.relationship_create(actor=None, data={"source": source, "kind": kind, "target": target})


@pytest.fixture
def cmdb(ctx):
    return SimpleNamespace(
        manager=factories.user("cm", ctx.provider, ["configuration-manager"]),
        agent=factories.user("ca", ctx.provider, ["configuration-agent"]),
        owner=factories.person("Olga Owner", ctx.provider),
        generic=ci_type("generic", {}),
        server=ci_type(),
    )
