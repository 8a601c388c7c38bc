"""Running counts per status (or any few text columns), kept by PostgreSQL itself.

A list answers how many records match (`count`). Counting exactly means PostgreSQL checks every matching
row in the table unless a vacuum has marked its page all-visible, and freshly written tickets are not: on
a busy desk, counting the `new` queue cost more than reading its page of records. A record type that
declares `counted_by` (core.declaration) has its count per combination of those columns kept in
`core_keptcount` by triggers; a list filtered by nothing but those columns (`?status=new`, or nothing at
all) is counted by summing a few rows, exactly, whatever the number of records, in the same statement and
snapshot as its page.

Every database session adds and subtracts on rows of its own (`holder` = its process id), so writers
never wait on one another and can never deadlock over a counter; `fold()` (a periodic job) moves the rows
of sessions that have ended into `holder` 0. The triggers are (re)installed after `migrate` whenever the
declaration changed, the table's present rows counted afresh under a lock that lets reads go on.

PostgreSQL only: SQLite counts the ordinary way (it has no table pages to visit for visibility).
"""

from __future__ import annotations

from typing import Any

from django.db import connections, transaction
from django.db.models import Model, QuerySet
from django.db.models.expressions import Col
from django.db.models.lookups import Exact, In
from django.db.models.sql.where import AND

from .declaration import declared, resource_for
from .models import KeptCount

TABLE = KeptCount._meta.db_table
TRIGGER = "servitium_kept_count"
VERSION = "servitium kept counts 1"  # part of each trigger's comment: a new text reinstalls them
_SLOTS = ("v1", "v2", "v3")
# Every write to the counts adds to the row of its key, making it when missing.
_KEY = '"table", v1, v2, v3, holder'
_INTO = f"INSERT INTO {TABLE} ({_KEY}, n)"
_ADD = f"ON CONFLICT ({_KEY}) DO UPDATE SET n = {TABLE}.n + EXCLUDED.n"


def _slot_values(values: list[str]) -> str:
    """The values of the three slots: the counted columns' in order, empty text for the rest."""
    return ", ".join([*values, *["''"] * (len(_SLOTS) - len(values))])


def _columns(model: type[Model]) -> tuple[str, ...]:
    resource = resource_for(model)
    return tuple(resource.model_field(name).column for name in resource.counted_by)


def _signature(columns: tuple[str, ...]) -> str:
    return f"{VERSION}: {', '.join(columns)}"


def _function_sql(connection: Any, table: str, columns: tuple[str, ...]) -> str:
    q = connection.ops.quote_name

    def change(row: str, sign: str) -> str:
        values = _slot_values([f"{row}.{q(c)}" for c in columns])
        return f"{_INTO} VALUES ('{table}', {values}, pg_backend_pid(), {sign}1) {_ADD};"

    old = ", ".join(f"OLD.{q(c)}" for c in columns)
    new = ", ".join(f"NEW.{q(c)}" for c in columns)
    # The columns are compared in the body, not named in the trigger (`UPDATE OF` or `WHEN`): PostgreSQL
    # refuses to change the type of a column a trigger's definition names, and migrations do that.
    return f"""
CREATE OR REPLACE FUNCTION {TRIGGER}_{table}() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM {TABLE} WHERE "table" = '{table}';
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' AND ROW({old}) IS NOT DISTINCT FROM ROW({new}) THEN
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    {change("OLD", "-")}
  END IF;
  IF TG_OP <> 'DELETE' THEN
    {change("NEW", "+")}
  END IF;
  RETURN NULL;
END
$body$"""  # noqa: S608 - declared names only


def _installed(cursor: Any) -> dict[str, str]:
    """table -> the comment of its counting trigger, for every table that has one."""
    cursor.execute(
        "SELECT c.relname, COALESCE(obj_description(t.oid, 'pg_trigger'), '') FROM pg_trigger t"
        " JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname = %s",
        [TRIGGER],
    )
    return dict(cursor.fetchall())


def wanted() -> dict[str, tuple[str, ...]]:
    """table -> its counted columns, for every record type that declares some."""
    return {r.model._meta.db_table: _columns(r.model) for r in declared() if r.counted_by}


def install(using: str = "default", **kwargs: Any) -> list[str]:
    """post_migrate: put each declared table's counting triggers in place (and take away those no longer
    declared), counting the table's rows afresh wherever a trigger is new or changed. Returns the tables
    counted afresh."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    tables = set(connection.introspection.table_names())
    if TABLE not in tables:  # migrated back to before the counts existed
        return []
    counted = []
    declared_tables = wanted()
    with transaction.atomic(using=using), connection.cursor() as cursor:
        present = _installed(cursor)
        for table in set(present) - set(declared_tables):
            _READY[_key(connection, table)] = False
            _drop_triggers(connection, cursor, table)
            cursor.execute(f"DROP FUNCTION IF EXISTS {TRIGGER}_{table}()")
            _forget(cursor, table)
        for table, columns in declared_tables.items():
            if table in tables and present.get(table) != _signature(columns):
                _count_afresh(connection, cursor, table, columns)
                counted.append(table)
            _READY[_key(connection, table)] = table in tables
    return counted


def _count_afresh(connection: Any, cursor: Any, table: str, columns: tuple[str, ...]) -> None:
    q = connection.ops.quote_name
    name = q(table)
    # Writers wait while the rows are counted and the triggers replaced; readers go on.
    cursor.execute(f"LOCK TABLE {name} IN SHARE ROW EXCLUSIVE MODE")
    cursor.execute(_function_sql(connection, table, columns))
    _drop_triggers(connection, cursor, table)
    cursor.execute(
        f"CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE ON {name}"
        f" FOR EACH ROW EXECUTE FUNCTION {TRIGGER}_{table}()"
    )
    cursor.execute(
        f"CREATE TRIGGER {TRIGGER}_truncate AFTER TRUNCATE ON {name}"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER}_{table}()"
    )
    comment = _signature(columns).replace("'", "''")  # COMMENT takes no parameters
    cursor.execute(f"COMMENT ON TRIGGER {TRIGGER} ON {name} IS '{comment}'")
    _forget(cursor, table)
    group = ", ".join(q(c) for c in columns) or "()"
    cursor.execute(
        f"{_INTO} SELECT %s, {_slot_values([q(c) for c in columns])}, 0, COUNT(*)"  # noqa: S608 - declared names
        f" FROM {name} GROUP BY {group}",
        [table],
    )


def _drop_triggers(connection: Any, cursor: Any, table: str) -> None:
    name = connection.ops.quote_name(table)
    cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {name}")
    cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}_truncate ON {name}")


def _forget(cursor: Any, table: str) -> None:
    cursor.execute(f'DELETE FROM {TABLE} WHERE "table" = %s', [table])  # noqa: S608 - the table's own name


# Rows of sessions that are gone, summed into holder 0 (rows a live session holds locked are left for
# the next time; the process ids of live sessions are never touched); answers how many rows it folded.
_FOLD_SQL = f"""
WITH gone AS (
  DELETE FROM {TABLE} WHERE id IN (
    SELECT id FROM {TABLE} WHERE holder <> 0
      AND holder NOT IN (SELECT pid FROM pg_stat_activity WHERE pid IS NOT NULL)
    FOR UPDATE SKIP LOCKED)
  RETURNING "table", v1, v2, v3, n),
folded AS (
  {_INTO} SELECT "table", v1, v2, v3, 0, SUM(n) FROM gone GROUP BY 1, 2, 3, 4 {_ADD})
SELECT COUNT(*) FROM gone
"""  # noqa: S608 - the table's own name


def fold(using: str = "default") -> int:
    """Sum the counts of database sessions that have ended into one row per value; returns the number of
    rows left behind by them that were folded. Nothing on SQLite."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return 0
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [TABLE])  # one fold at a time
        cursor.execute(_FOLD_SQL)
        return cursor.fetchone()[0]


# (alias, database, table) -> its trigger is as declared. Learnt when a connection opens and when `migrate`
# installs the triggers, never while a request waits: a table not known ready counts the ordinary way.
_READY: dict[tuple[str, str, str], bool] = {}


def _key(connection: Any, table: str) -> tuple[str, str, str]:
    return (connection.alias, str(connection.settings_dict.get("NAME")), table)


def learn(sender: Any = None, connection: Any = None, **kwargs: Any) -> None:
    """connection_created: whether this database's counting triggers are as declared (one catalog read
    per new connection, so a trigger dropped or changed by hand is noticed as connections are renewed)."""
    if connection is None or connection.vendor != "postgresql":
        return
    declared_tables = wanted()
    if not declared_tables:
        return
    with connection.cursor() as cursor:
        present = _installed(cursor)
    for table, columns in declared_tables.items():
        _READY[_key(connection, table)] = present.get(table) == _signature(columns)


def count_sql(queryset: QuerySet) -> tuple[str, tuple] | None:
    """The statement answering `queryset.count()` from the kept counts, or None when they cannot: another
    database than PostgreSQL, a record type that keeps none, or a filter on anything but the counted
    columns' values (a customer's own tickets, a search, a join) — those are counted the ordinary way."""
    model = queryset.model
    connection = connections[queryset.db]
    if connection.vendor != "postgresql" or not resource_for(model).counted_by:
        return None
    columns = _columns(model)
    query = queryset.query
    table = model._meta.db_table
    if query.distinct or query.extra or query.combinator or query.is_sliced or set(query.alias_map) - {table}:
        return None  # (no alias at all: a query nothing filters yet)
    where = query.where
    if where.negated or (where.connector != AND and len(where.children) > 1):
        return None
    wanted_values: dict[str, list[str]] = {}
    for child in where.children:
        if not isinstance(child, Exact | In) or not isinstance(child.lhs, Col):
            return None
        column = child.lhs.target.column
        if child.lhs.alias != table or column not in columns or column in wanted_values:
            return None
        values = [child.rhs] if isinstance(child, Exact) else list(child.rhs)
        if not values or not all(isinstance(v, str) for v in values):
            return None
        wanted_values[column] = [str(v) for v in values]  # a TextChoices member as its plain text
    if not _READY.get(_key(connection, table)):
        return None
    sql = f'SELECT COALESCE(SUM(n), 0)::bigint FROM {TABLE} WHERE "table" = %s'  # noqa: S608
    params: list[str] = [table]
    for slot, column in zip(_SLOTS, columns, strict=False):
        values = wanted_values.get(column)
        if values:
            sql += f" AND {slot} IN ({', '.join(['%s'] * len(values))})"
            params += values
    return sql, tuple(params)
