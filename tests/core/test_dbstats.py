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


@ON_POSTGRES
@pytest.mark.django_db(transaction=True)
def test_a_bulk_load_is_counted_from_the_index_alone():
    # Counting the loaded rows through an index reads no table page once they are marked all-visible.
    Organization.objects.bulk_create([Organization(name=f"Bulk {i}", kind="customer") for i in range(800)])
    table = Organization._meta.db_table
    assert refresh_statistics(Organization)
    with connection.cursor() as cursor:
        cursor.execute("SELECT relallvisible, relpages FROM pg_class WHERE relname = %s", [table])
        visible, pages = cursor.fetchone()
        assert pages > 0 and visible == pages
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) SELECT COUNT(*) FROM {table} WHERE id > 0")  # noqa: S608
        plan = cursor.fetchone()[0]
        cursor.execute("RESET enable_seqscan")
    scan = plan[0]["Plan"]["Plans"][0]
    assert scan["Node Type"] == "Index Only Scan"
    assert scan["Heap Fetches"] == 0


@pytest.mark.django_db
def test_inside_a_transaction_or_on_sqlite_nothing_runs():
    # the rows of an open transaction are not committed yet: an ANALYZE then would learn nothing
    assert refresh_statistics() is False
