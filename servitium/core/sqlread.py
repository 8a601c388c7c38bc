"""Reading one record by a unique column with SQL prepared once per model and database.

The busiest paths (token authentication, the related records of a new ticket) read single rows by key;
through the ORM each read compiles the same query again, which costs more than the database's work."""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models

from . import sqlwrite


class _Reader:
    """SELECT of one model's columns (and optionally one related record's, joined) with the fields'
    converters, prepared once: building records from a row the way any ORM read does."""

    def __init__(self, model: type[models.Model], column: str, related: str | None) -> None:
        quote = connection.ops.quote_name
        self.parts: list[tuple[type[models.Model], list[str], list[list]]] = []
        tables = [(model, "a")]
        join = ""
        if related:
            field = model._meta.get_field(related)
            tables.append((field.related_model, "b"))
            join = (
                f" JOIN {quote(field.related_model._meta.db_table)} b"
                f" ON b.{quote(field.target_field.column)} = a.{quote(field.column)}"
            )
        selected: list[str] = []
        self.expressions: list[Any] = []
        for table_model, alias in tables:
            fields = table_model._meta.concrete_fields
            selected += [f"{alias}.{quote(f.column)}" for f in fields]
            converters = []
            for f in fields:
                expression = f.get_col(table_model._meta.db_table)
                self.expressions.append(expression)
                converters.append(
                    connection.ops.get_db_converters(expression) + f.get_db_converters(connection)
                )
            self.parts.append((table_model, [f.attname for f in fields], converters))
        self.related = related
        self.sql = (
            f"SELECT {', '.join(selected)} FROM {quote(model._meta.db_table)} a{join}"  # noqa: S608
            f" WHERE a.{quote(model._meta.get_field(column).column)} = %s"
        )

    def one(self, value: Any) -> models.Model | None:
        rows = sqlwrite.run(self.sql, [value])
        if not rows:
            return None
        row, connection = rows[0], connections[DEFAULT_DB_ALIAS]
        records, start = [], 0
        for table_model, names, converters in self.parts:
            values = []
            for offset, steps in enumerate(converters):
                value, expression = row[start + offset], self.expressions[start + offset]
                for convert in steps:
                    value = convert(value, expression, connection)
                values.append(value)
            records.append(table_model.from_db(connection.alias, names, values))
            start += len(names)
        if self.related:
            setattr(records[0], self.related, records[1])
        return records[0]


_READERS: dict[tuple[str, type, str, str | None], _Reader] = {}


def one_by(
    model: type[models.Model], column: str, value: Any, related: str | None = None
) -> models.Model | None:
    """The record of `model` whose `column` equals `value` (a primary key or a unique field), with the
    record its foreign key `related` points to already attached; `None` when there is none. SQL written
    once per model and database: the ORM would compile the same query on every request."""
    key = (connection.alias, model, column, related)
    reader = _READERS.get(key)
    if reader is None:
        reader = _READERS[key] = _Reader(model, column, related)
    return reader.one(value)


def by_pk(model: type[models.Model], pk: int) -> models.Model | None:
    """One record by primary key (see `one_by`)."""
    return one_by(model, model._meta.pk.name, pk)
