"""Plain builders for test data (through the real services, so the data is what users would create)."""

from __future__ import annotations

from servitium.catalog import services as catalog_services
from servitium.catalog.models import Service
from servitium.core import services as core_services
from servitium.parties import services as party_services
from servitium.parties.models import Organization, Person, User

PASSWORD = "correct-horse-battery-9"


def organization(name: str, kind: str = "customer") -> Organization:
    return core_services.record_create(model=Organization, data={"name": name, "kind": kind}, actor=None)


def user(username: str, org: Organization | None, roles: list[str], password: str = PASSWORD) -> User:
    return party_services.user_create(
        actor=None, data={"username": username, "password": password, "organization": org, "roles": roles}
    )


def person(name: str, org: Organization, **extra) -> Person:
    return core_services.record_create(
        model=Person, data={"name": name, "organization": org, **extra}, actor=None
    )


def service(name: str, *, customers=(), depends_on=(), status: str = "live", **extra) -> Service:
    return catalog_services.service_create(
        actor=None,
        data={"name": name, "status": status, **extra},
        m2m={"customers": list(customers), "depends_on": list(depends_on)},
    )


_counter = iter(range(1, 10**9))


def unique(prefix: str) -> str:
    """A name no other record in the test uses (payload builders may run several times per test)."""
    return f"{prefix} {next(_counter)}"
