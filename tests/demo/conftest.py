"""The demo provider, loaded once for every test of this package.

Loading the whole demo takes a minute or two; each test here used to load it again. The package's tests
share one load, kept in a transaction that is rolled back when the last of them has run, and every test runs
in a savepoint of it (rolled back too), so each sees the demo as loaded whatever the others did. Under
`pytest -n` the root conftest sends all of them to one worker, so the demo is loaded once.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from servitium import demo

PASSWORD = "demo-password-long-1"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # schemathesis names each operation's test "test_x[GET /api/v1/...]" but, under pytest 9.2, leaves the
    # operation out of the test's id: all of them would share one id, and the scheduler that keeps this
    # package on one worker (the root conftest) hands tests out by id. The operation goes into the id.
    for item in items:
        label = getattr(item, "operation_label", None)
        if label and item.id.params is None:
            item._id = item.id.with_params(label)


@pytest.fixture(scope="package", autouse=True)
def demo_records(django_db_setup, django_db_blocker) -> dict[str, int]:
    """What `demo.load` answered (the counts of organizations, people, services and users)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            loaded = demo.load(admin_username="admin", admin_password=PASSWORD)
            # Each test ends by checking deferred constraints (Django's TestCase) inside its savepoint; the
            # rollback un-fires them, so on PostgreSQL every test re-checked every foreign key the demo
            # wrote (~0.4 s a test). Checked once here, in the outer transaction, they stay checked.
            connection.check_constraints()
            yield loaded
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
