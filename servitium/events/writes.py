"""The two statements that store an intake batch's events, instead of a statement (and a savepoint) per
alert: the batch's new alerts in one INSERT that leaves out those a concurrent batch stored first
(`ON CONFLICT DO NOTHING`: it waits for that batch and skips the row, so no savepoint is needed), and the
changes of the batch's events in one UPDATE from a list of values. On PostgreSQL the rows go as one JSON
document (`jsonb_to_recordset`): the statement's text is the same for every batch, so it is prepared once
and only bound, where a VALUES list of a thousand parameters is parsed by the driver and the server each
time.
SQLite (>= 3.35) takes a VALUES list."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection
from django.utils import timezone

from servitium.core import sqlwrite

from .models import Event

_META = Event._meta
INSERTED = tuple(f for f in _META.local_concrete_fields if not f.primary_key)
# what acting on an event may change (the identity, labels and severity stay as first stored)
CHANGED = tuple(
    _META.get_field(name)
    for name in (
        "updated",
        "status",
        "annotations",
        "starts_at",
        "ends_at",
        "occurrences",
        "last_seen",
        "state_changes",
        "flap_window_start",
        "flapping",
        "incident",
        "ci",
        "service",
        "action",
        "reason",
        "change",
        "history",
        "noted_at",
    )
)


def _pg_type(field) -> str:
    return "bigint" if field.primary_key or field.is_relation else field.db_type(connection)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()  # with its offset: PostgreSQL reads it back exactly
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def _rows(events: list[Event], fields: tuple, now: dt.datetime) -> str:
    """PostgreSQL: the rows as one JSON document (one parameter, whatever the number of rows: the
    statement's text stays the same, so it is prepared once and only bound; encoding a JSON document is
    far cheaper than the driver escaping a thousand values)."""
    rows = []
    for event in events:
        event.updated = now  # auto_now, as save() would
        if event.pk is None:
            event.created = now  # auto_now_add
        rows.append({f.column: getattr(event, f.attname) for f in fields})
    return json.dumps(rows, default=_plain)


def _recordset(fields: tuple) -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(f"{quote(f.column)} {_pg_type(f)}" for f in fields)
    return f"jsonb_to_recordset(%s::jsonb) AS v({columns})"


def insert_new(events: list[Event]) -> list[Event]:
    """Store new events (one per source and fingerprint) in one statement; returns those stored, with
    their keys. The others were stored first by a concurrent batch: read and lock them instead."""
    if not events:
        return []
    quote = connection.ops.quote_name
    names = ", ".join(quote(f.column) for f in INSERTED)
    head = f"INSERT INTO {quote(_META.db_table)} ({names}) "  # noqa: S608 - the model's own names
    tail = (
        f" ON CONFLICT ({quote('source')}, {quote('fingerprint')}) DO NOTHING "
        f"RETURNING {quote('id')}, {quote('source')}, {quote('fingerprint')}"
    )
    if connection.vendor == "postgresql":
        sql = head + f"SELECT {names} FROM {_recordset(INSERTED)}" + tail  # noqa: S608
        params = [_rows(events, INSERTED, timezone.now())]
    else:
        params = []
        for event in events:
            for field in INSERTED:
                params.append(field.get_db_prep_save(field.pre_save(event, True), connection))
        row = "(" + ", ".join(["%s"] * len(INSERTED)) + ")"
        sql = head + f"VALUES {', '.join([row] * len(events))}" + tail
    keys = {(source, fingerprint): pk for pk, source, fingerprint in sqlwrite.run(sql, params)}
    stored = []
    for event in events:
        pk = keys.get((event.source, event.fingerprint))
        if pk is not None:
            event.pk = pk
            event._state.adding, event._state.db = False, DEFAULT_DB_ALIAS
            stored.append(event)
    return stored


def update(events: list[Event]) -> None:
    """Write the changes of stored events in one statement."""
    if not events:
        return
    quote = connection.ops.quote_name
    fields = (_META.pk, *CHANGED)
    table, names = quote(_META.db_table), [quote(f.column) for f in fields]
    assign = ", ".join(f"{n} = v.{n}" for n in names[1:])
    if connection.vendor == "postgresql":
        sql = (
            f"UPDATE {table} SET {assign} FROM {_recordset(fields)} "  # noqa: S608
            f"WHERE {table}.{names[0]} = v.{names[0]}"
        )
        sqlwrite.run(sql, [_rows(events, fields, timezone.now())])
        return
    now = timezone.now()
    params: list = []
    for event in events:
        event.updated = now
        params.append(event.pk)
        for field in CHANGED:
            params.append(field.get_db_prep_save(getattr(event, field.attname), connection))
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"WITH v ({', '.join(names)}) AS (VALUES {', '.join([row] * len(events))}) "  # noqa: S608
        f"UPDATE {table} SET {assign} FROM v WHERE {table}.{names[0]} = v.{names[0]}"
    )
    sqlwrite.run(sql, params)
