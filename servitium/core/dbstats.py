"""Planner statistics after a bulk load.

PostgreSQL plans queries from statistics that autovacuum refreshes only once enough rows changed and its
next round comes; right after the demo or an import loads thousands of rows in one go, the planner still
believes the tables nearly empty and picks nested loops that take 40 times longer (a service report's
trend section: 43 ms a query instead of 1 ms). Whatever loads in bulk refreshes them at once.

It also vacuums them: a row fresh from a bulk load sits on a page no VACUUM has yet marked all-visible,
so counting it through an index still reads the table (a queue's exact count over a million loaded
tickets read thousands of table pages). Autovacuum would come only after a fifth of a table changed,
and only where the server runs it."""

from __future__ import annotations

from django.db import connection, models


def refresh_statistics(*tables: type[models.Model]) -> bool:
    """VACUUM (ANALYZE) the tables of these models (every table when none is named) on PostgreSQL,
    outside a transaction (inside one, the rows are not committed yet and tests roll them back anyway).
    Returns whether it ran."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    names = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {names}" if names else "VACUUM (ANALYZE)")
    return True
