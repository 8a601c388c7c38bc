"""Shared fixtures: users with roles, API clients, and a few records."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest
from django.db import connection
from rest_framework.test import APIClient

from tests import factories


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """Under `pytest -n`, tests are handed out one by one as usual, except those of tests/demo/, which go to
    one worker together: they share one load of the demo (tests/demo/conftest.py). The full contract run
    (SERVITIUM_CONTRACT_EXAMPLES=20) spreads its operations over the workers (each loads the demo once)."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    full_contract = int(os.environ.get("SERVITIUM_CONTRACT_EXAMPLES", "3")) >= 20

    class DemoTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.startswith("tests/demo/") and not (full_contract and "test_contract.py" in nodeid):
                return "tests/demo/"
            return nodeid

    return DemoTogether(config, log)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The scheduler above hands tests out by id: two tests with one id would run once, silently.
    seen: set[str] = set()
    twice = sorted({item.nodeid for item in items if item.nodeid in seen or seen.add(item.nodeid)})
    if twice:
        raise pytest.UsageError(f"{len(twice)} test ids are not unique, e.g. {twice[:3]}")


@pytest.fixture
def provider(db):
    return factories.organization("Test Provider", "provider")


@pytest.fixture
def org_a(db):
    return factories.organization("Customer A", "customer")


@pytest.fixture
def org_b(db):
    return factories.organization("Customer B", "customer")


@pytest.fixture
def admin_user(provider):
    return factories.user("admin1", provider, ["administrator"])


@pytest.fixture
def auditor_user(provider):
    return factories.user("auditor1", provider, ["auditor"])


@pytest.fixture
def customer_a(org_a):
    return factories.user("cust_a", org_a, ["customer"])


@pytest.fixture
def customer_b(org_b):
    return factories.user("cust_b", org_b, ["customer"])


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def api():
    return client_for


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def ctx(db):
    provider = factories.organization("Suite Provider", "provider")
    org_a = factories.organization("Suite Customer A", "customer")
    org_b = factories.organization("Suite Customer B", "customer")
    return SimpleNamespace(
        provider=provider,
        org_a=org_a,
        org_b=org_b,
        admin=factories.user("suite_admin", provider, ["administrator"]),
        auditor=factories.user("suite_auditor", provider, ["auditor"]),
        customer_a=factories.user("suite_cust_a", org_a, ["customer"]),
        customer_b=factories.user("suite_cust_b", org_b, ["customer"]),
    )


@pytest.fixture(autouse=True)
def _fresh_priority_matrix():
    """The matrix is cached per process for a few seconds; each test starts from its own database."""
    from servitium.incidents.services import forget_matrix

    forget_matrix()
    yield
    forget_matrix()


@pytest.fixture(autouse=True)
def _own_anchor_file():
    """Each test's change log starts empty, so each gets its own file of signed chain heads (the anchor
    key, in the test data dir, is shared)."""
    import uuid

    from django.conf import settings
    from django.test import override_settings

    with override_settings(ANCHOR_FILE=settings.DATA_DIR / f"anchors-{uuid.uuid4().hex}.jsonl"):
        yield
