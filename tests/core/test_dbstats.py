"""After a bulk load the planner's statistics are refreshed at once on PostgreSQL (a stale estimate of
two rows made a service report's trend query forty times slower than it is)."""

from __future__ import annotations

import pytest
from django.db import connection

from servitium.core.dbstats import refresh_statistics
from servitium.parties.models import Organization

ON_POSTGRES = pytest.mark.skipif(connection.vendor != "postgresql", reason="planner statistics of PostgreSQL")


def _estimated_rows(model) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [model._meta.db_table])
        return cursor.fetchone()[0]


@ON_POSTGRES
@pytest.mark.django_db(transaction=True)
def test_a_bulk_load_leaves_the_planner_knowing_the_tables_size():
    Organization.objects.bulk_create([Organization(name=f"Bulk {i}", kind="customer") for i in range(800)])
    assert refresh_statistics(Organization)
    assert _estimated_rows(Organization) >= 800


@pytest.mark.django_db
def test_inside_a_transaction_or_on_sqlite_nothing_runs():
    # the rows of an open transaction are not committed yet: an ANALYZE then would learn nothing
    assert refresh_statistics() is False
