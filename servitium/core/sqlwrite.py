"""INSERT statements written once per model, for the writes every new ticket makes (the record, its
change-log entry, its SLA clocks).

`Model.save()` compiles its INSERT anew on every call; on the create hot path that compilation costs more
than the database takes to store the row. `insert` does what `save()` does for a new row of a plain model
(field `pre_save` hooks such as `auto_now`, the fields' own conversion to database values, the related
records' checks, the returned primary key) with SQL prepared once per model and database. A model that
`save()` would treat specially (its own `save()`, signal receivers, multi-table inheritance, database
defaults, ordering with respect to a parent) is saved through `save()` instead, so nothing is skipped.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import signals
from django.db.models.fields import NOT_PROVIDED


def run(sql: str, params: Sequence[Any] = ()) -> list[tuple]:
    """Execute one statement of a hot path and return its rows (none for a write without RETURNING).

    On PostgreSQL the statement is prepared once per connection and then only bound and executed, so the
    server does not parse and plan the same text again for every ticket (Django's cursor binds values
    into the text on the client, which rules this out). Same connection and transaction as the ORM, and
    database errors arrive as Django's exception classes."""
    connection = connections[DEFAULT_DB_ALIAS]  # the proxy `django.db.connection` costs a lookup per use
    # Whoever watches the queries (query logging, execute wrappers, the query-count tests) sees them go
    # through Django's cursor.
    if connection.vendor != "postgresql" or connection.queries_logged or connection.execute_wrappers:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_no_broken_transaction()  # as Django's cursor does inside a failed atomic block
    raw = connection.connection
    prepared = _CURSORS.get(raw)
    if prepared is None or prepared.closed:
        prepared = psycopg.Cursor(raw)
        tune = getattr(connection, "tune_cursor", None)  # servitium.core.db.postgresql: C timestamps
        prepared = _CURSORS[raw] = tune(prepared) if tune is not None else prepared
    with connection.wrap_database_errors:
        prepared.execute(sql, params, prepare=True)
        result = prepared.pgresult  # (`description` would build a column object per column)
        return prepared.fetchall() if result is not None and result.nfields else []


_CURSORS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # one reusable cursor per connection


@dataclass(frozen=True)
class _Plan:
    head: str  # INSERT INTO t (c1, c2, ...) VALUES
    row: str  # (%s, %s, ...)
    tail: str  # RETURNING "id" (or empty where the database cannot return it)
    fields: tuple[models.Field, ...]
    ready: tuple[Callable[[Any], bool] | None, ...]  # per field: is this value already a database value?


def _is_text(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _is_int(value: Any) -> bool:
    return value is None or type(value) is int


def _is_bool(value: Any) -> bool:
    return value is None or type(value) is bool


def _is_aware_datetime(value: Any) -> bool:
    return value is None or (type(value) is dt.datetime and value.tzinfo is not None)


def _ready_test(field: models.Field, vendor: str) -> Callable[[Any], bool] | None:
    """For the field kinds whose conversion leaves these Python values as they are (see each field's
    `get_db_prep_save`), a test that lets the insert skip the conversion call; None: always convert."""
    if isinstance(field, models.ForeignKey):
        target = field.target_field
        return _is_int if isinstance(target, models.AutoField | models.IntegerField) else None
    if isinstance(field, models.JSONField | models.DecimalField | models.UUIDField | models.FileField):
        return None
    if isinstance(field, models.CharField | models.TextField):
        return _is_text  # to_python returns strings (and str choices) unchanged
    if isinstance(field, models.BooleanField):
        return _is_bool
    if isinstance(field, models.IntegerField):
        return _is_int
    if isinstance(field, models.DateTimeField) and vendor == "postgresql":
        return _is_aware_datetime  # PostgreSQL takes aware datetimes as they are; SQLite wants text
    return None


_PLANS: dict[tuple[str, type[models.Model]], _Plan] = {}  # (vendor, model); one database: default


def plain_model(model: type[models.Model]) -> bool:
    """May `insert` write this model's rows itself? Not when saving it means more than storing the row:
    its own `save()`, signal receivers, multi-table inheritance, database defaults or generated columns,
    ordering with respect to a parent."""
    meta = model._meta
    return not (
        model.save is not models.Model.save
        or meta.parents
        or meta.order_with_respect_to
        or meta.proxy
        or signals.pre_save.has_listeners(model)
        or signals.post_save.has_listeners(model)
        or any(f.db_default is not NOT_PROVIDED or f.generated for f in meta.local_concrete_fields)
    )


def _plan(model: type[models.Model], connection: Any) -> _Plan:
    plan = _PLANS.get((connection.vendor, model))
    if plan is None:
        meta, quote = model._meta, connection.ops.quote_name
        fields = tuple(f for f in meta.local_concrete_fields if f is not meta.auto_field)
        columns = ", ".join(quote(f.column) for f in fields)
        returning = connection.features.can_return_columns_from_insert
        plan = _PLANS[(connection.vendor, model)] = _Plan(
            head=f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ",  # noqa: S608 - model's own names
            row="(" + ", ".join(["%s"] * len(fields)) + ")",
            tail=f" RETURNING {quote(meta.pk.column)}" if returning else "",
            fields=fields,
            ready=tuple(_ready_test(f, connection.vendor) for f in fields),
        )
    return plan


def insert(*instances: models.Model) -> None:
    """Store new records of one model in one INSERT and give each its primary key, as `save()` would."""
    if not instances:
        return
    connection = connections[DEFAULT_DB_ALIAS]
    model = type(instances[0])
    if any(type(obj) is not model for obj in instances):
        raise TypeError("insert() takes records of one model at a time")
    one_at_a_time = len(instances) > 1 and not connection.features.can_return_columns_from_insert
    if one_at_a_time or not plain_model(model) or any(obj.pk is not None for obj in instances):
        for obj in instances:
            obj.save(force_insert=True)
        return
    plan = _plan(model, connection)
    params: list = []
    for obj in instances:
        obj._prepare_related_fields_for_save(operation_name="save")
        for field, ready in zip(plan.fields, plan.ready, strict=True):
            value = field.pre_save(obj, True)
            params.append(
                value if ready is not None and ready(value) else field.get_db_prep_save(value, connection)
            )
    sql = plan.head + ", ".join([plan.row] * len(instances)) + plan.tail
    if plan.tail:
        keys = [row[0] for row in run(sql, params)]
    else:  # a single row on a database that cannot return keys (neither PostgreSQL nor SQLite >= 3.35)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            keys = [connection.ops.last_insert_id(cursor, model._meta.db_table, model._meta.pk.column)]
    if len(keys) != len(instances):
        raise RuntimeError("the database returned a different number of keys than rows inserted")
    for obj, key in zip(instances, keys, strict=True):
        obj.pk = key
        obj._state.adding = False
        obj._state.db = DEFAULT_DB_ALIAS


def reserve_keys(model: type[models.Model], count: int) -> list[int]:
    """`count` new primary keys drawn from the table's sequence (PostgreSQL): for records written by COPY
    whose keys are needed before they are stored (their events, clocks or change-log entries)."""
    sql = "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)"
    return [row[0] for row in run(sql, [model._meta.db_table, count])]


def copy_rows(model: type[models.Model], instances: Sequence[models.Model], *, with_pk: bool = True) -> None:
    """Store fully built records with PostgreSQL's COPY (bulk history: generators, change-log batches),
    several times faster than INSERTs. `with_pk=False` leaves the key to the table's identity column (the
    caller does not need the keys back). PostgreSQL only."""
    connection = connections[DEFAULT_DB_ALIAS]
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in instances:
                copy.write_row([f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields])
