"""Fixtures of the release tests: a service with a small CI stack, changes in chosen states, release staff."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from servitium.changes.models import Change
from servitium.cmdb import services as cmdb_services
from servitium.cmdb.models import CIType, ConfigurationItem
from servitium.core import services as core_services
from tests import factories


def change(title: str, status: str, *, cis=(), services=()) -> Change:
    """A change in a given state. Setting the state directly is test set-up only: the change lifecycle has
    its own tests; here it is the release's view of its changes that matters."""
    record = core_services.record_create(
        model=Change,
        data={"title": title, "category": "normal"},
        actor=None,
        m2m={"affected_cis": list(cis), "affected_services": list(services)},
    )
    Change.objects.filter(pk=record.pk).update(status=status)
    record.refresh_from_db()
    return record


@pytest.fixture
def stack(db, org_a):
    service = factories.service("Shop Platform", customers=[org_a])
    kind = CIType.objects.filter(name="release test kind").first() or core_services.record_create(
        model=CIType,
        data={"name": "release test kind", "description": "test", "attribute_schema": {}},
        actor=None,
    )

    def make(name: str, **extra) -> ConfigurationItem:
        return cmdb_services.ci_create(
            actor=None, data={"name": name, "ci_type": kind, "status": "in_use", **extra}, m2m={}
        )

    app = make("shop-app", service=service)
    db_ci = make("shop-db")
    other = make("unrelated-host")
    return SimpleNamespace(service=service, app=app, db=db_ci, other=other, kind=kind, customer=org_a)


@pytest.fixture
def release_staff(provider):
    return SimpleNamespace(
        manager=factories.user("rel_manager", provider, ["release-manager"]),
        agent=factories.user("rel_agent", provider, ["release-agent"]),
        desk=factories.user("desk_agent", provider, ["incident-agent"]),
    )
