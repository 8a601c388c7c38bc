"""Reading many rows for the export fast and in little memory: a queryset's SQL run on Django's chunked
cursor (the server-side cursor `.iterator(chunk_size=...)` reads through on PostgreSQL), each value turned
straight into its JSON text or CSV cell by the kind of its column, without building model instances or
running the ORM's per-value converters (which cost more than the database's work at 100,000 tickets).

Times are written in ISO 8601 with their offset (UTC as stored); JSON columns are embedded as the JSON
they hold; decimals as strings (no float rounding); booleans as true/false.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models import F

try:  # the C encoder of JSON strings (what json.dumps uses), or its pure-Python twin
    from _json import encode_basestring as _encode_string
except ImportError:  # pragma: no cover
    from json.encoder import py_encode_basestring as _encode_string

Kind = str
_SAFE_KEY = re.compile(r"[a-z_][a-z0-9_]*")


def _kind(field: models.Field) -> Kind:
    internal = field.get_internal_type()
    if internal == "DateTimeField":
        return "datetime"
    if internal == "DateField":
        return "date"
    if internal == "JSONField":
        return "json"
    if internal == "BooleanField":
        return "bool"
    if internal == "DecimalField":
        return "decimal"
    if internal in ("FloatField",):
        return "float"
    if internal.endswith("IntegerField") or internal in ("AutoField", "BigAutoField", "SmallAutoField"):
        return "int"
    return "str"


def _iso_datetime(value: Any) -> str:
    if isinstance(value, str):  # SQLite: "2026-12-03 22:49:18.123456", UTC
        return value.replace(" ", "T", 1) + "+00:00"
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.isoformat()


def _iso_date(value: Any) -> str:
    return value if isinstance(value, str) else value.isoformat()


def _json_text(value: Any) -> str:
    if isinstance(value, str | bytes):  # stored JSON text (SQLite, and PostgreSQL as Django reads jsonb)
        return value.decode() if isinstance(value, bytes) else value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _quoted(text: str) -> str:
    return _encode_string(text)


JSON_FRAGMENT: dict[Kind, Callable[[Any], str]] = {
    "datetime": lambda v: '"' + _iso_datetime(v) + '"',
    "date": lambda v: '"' + _iso_date(v) + '"',
    "json": _json_text,
    "bool": lambda v: "true" if v else "false",
    "decimal": lambda v: '"' + str(v if isinstance(v, Decimal) else Decimal(str(v))) + '"',
    "float": repr,
    "int": str,
    "str": lambda v: _quoted(v if isinstance(v, str) else str(v)),
}


def kinds_of(queryset: models.QuerySet) -> tuple[str, list, list[Kind]] | None:
    """The SQL of a values_list queryset, its parameters and the kind of each selected column (None: the
    queryset can match nothing, e.g. `pk__in=[]`)."""
    compiler = queryset.query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None
    kinds = [_kind(expression.output_field) for expression, _sql, _alias in compiler.select]
    return sql, list(params), kinds


def raw_rows(queryset: models.QuerySet, chunk: int = 2000) -> Iterator[tuple]:
    """The rows of a values_list queryset as the database driver gives them, `chunk` at a time."""
    found = kinds_of(queryset)
    if found is None:
        return
    sql, params, _kinds = found
    cursor = connections[queryset.db].chunked_cursor()
    try:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk):
            yield from rows
    finally:
        cursor.close()


def _aliased(queryset: models.QuerySet, names: list[str], rename: dict[str, str]) -> models.QuerySet:
    """`values()` with each column under its export name: plain fields as they are, renamed fields and
    fields across relations (`service__name`) as annotations with their new name."""
    plain = [n for n in names if n not in rename]
    return queryset.values(*plain, **{rename[n]: F(n) for n in names if n in rename})


def _sqlite_value(column: str, kind: Kind) -> str:
    """One column of a SQLite row as json_object() should hold it (SQLite keeps times as text, JSON as
    text, booleans as 0/1)."""
    if kind == "datetime":
        return f"replace({column}, ' ', 'T') || '+00:00'"
    if kind == "json":
        return f"json({column})"
    if kind == "bool":
        return f"CASE WHEN {column} IS NULL THEN NULL WHEN {column} THEN json('true') ELSE json('false') END"
    if kind == "decimal":
        return f"CAST({column} AS TEXT)"
    return column


def _database_json(queryset: models.QuerySet, keys: list[str]) -> tuple[str, list] | None:
    """SQL that makes the database write each row as one JSON object (PostgreSQL, SQLite), or None."""
    found = kinds_of(queryset)
    if found is None:
        return None
    sql, params, kinds = found
    vendor = connections[queryset.db].vendor
    quote = connections[queryset.db].ops.quote_name
    if vendor == "postgresql":
        numeric = [k for k, kind in zip(keys, kinds, strict=True) if kind == "decimal"]
        if numeric:  # decimals as strings, as on every other path (no float rounding downstream)
            return None
        return f"SELECT row_to_json(t)::text FROM ({sql}) t", params  # noqa: S608
    if vendor == "sqlite" and len(keys) <= 60:  # json_object takes up to 127 arguments
        pairs = ", ".join(
            f"'{key}', {_sqlite_value('t.' + quote(key), kind)}"
            for key, kind in zip(keys, kinds, strict=True)
        )
        return f"SELECT json_object({pairs}) FROM ({sql}) t", params  # noqa: S608
    return None


def json_lines(
    queryset: models.QuerySet,
    names: list[str],
    rename: dict[str, str] | None = None,
    chunk: int = 2000,
    server_side: bool = True,
) -> Iterator[bytes]:
    """Each row of `queryset` (the columns `names`, some renamed) as one JSON object on one line. On
    PostgreSQL and SQLite the database writes the JSON (row_to_json, json_object): the rows only pass
    through; elsewhere each value is encoded here by the kind of its column."""
    rename = rename or {}
    keys = [rename.get(n, n) for n in names]
    values = _aliased(queryset, names, rename)
    order = list(values.query.values_select) + list(values.query.annotation_select)
    if order != keys:  # values() puts annotations last: follow its order
        keys = order
    if any(not _SAFE_KEY.fullmatch(k) for k in keys):
        raise ValueError(f"unexpected column names {keys}")
    database = _database_json(values, keys)
    if database is not None:
        sql, params = database
        connection = connections[values.db]
        cursor = connection.chunked_cursor() if server_side else connection.cursor()
        try:
            cursor.execute(sql, params)
            while found := cursor.fetchmany(chunk):
                for (text,) in found:
                    yield (text + "\n").encode()
        finally:
            cursor.close()
        return
    yield from _python_lines(values.values_list(*keys), keys, chunk)


def _python_lines(queryset: models.QuerySet, keys: list[str], chunk: int) -> Iterator[bytes]:
    found = kinds_of(queryset)
    if found is None:
        return
    encoders = [JSON_FRAGMENT[k] for k in found[2]]
    prefixes = [("{" if i == 0 else ",") + _quoted(key) + ":" for i, key in enumerate(keys)]
    parts = list(zip(prefixes, encoders, strict=True))
    for row in raw_rows(queryset, chunk):
        line = "".join(
            prefix + ("null" if value is None else encode(value))
            for (prefix, encode), value in zip(parts, row, strict=True)
        )
        yield (line + "}\n").encode()


_BOOL = {True: "true", False: "false"}


def _cells(record: dict[str, Any]) -> list[Any]:
    return [
        ""
        if v is None
        else _BOOL[v]
        if v.__class__ is bool
        else json.dumps(v, ensure_ascii=False, separators=(",", ":"))
        if v.__class__ in (dict, list)
        else v
        for v in record.values()
    ]


def csv_rows(
    queryset: models.QuerySet, names: list[str], rename: dict[str, str] | None = None, chunk: int = 2000
) -> Iterator[list[Any]]:
    """The header, then each row as CSV cells with the same values as the JSON Lines (empty for none)."""
    header = True
    for line in json_lines(queryset, names, rename, chunk):
        record = json.loads(line)
        if header:
            yield list(record)
            header = False
        yield _cells(record)
