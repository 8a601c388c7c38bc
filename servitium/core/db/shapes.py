"""Plain SELECTs compiled once per query: what Django's compiler writes for a query it has written before.

Turning a query into SQL costs Django more than the database spends running it: a page of tickets (42
columns, two filters, an order) took 0.35-0.4 ms to compile, every request, for the same text. Here a
query simple enough to be told completely by a key is compiled once and its SQL, parameters and the
compiler's results (the select list the records are built from) are kept: one table, no joins, every
column of its model, filters that are lookups of that table's columns against plain values, orderings
by name, limits, and raw SQL annotations (a page's count). The key holds all of it, values included, so
two queries share an entry only when Django would write the same statement for both; anything else
(joins, expressions, subqueries, values(), aggregates) is compiled as usual. The entries are bounded.

`SERVITIUM_DB_COMPILE_CACHE=0` turns it off.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import operator
import os
import threading
import uuid
from typing import Any

from django.db.models.expressions import Col, RawSQL
from django.db.models.lookups import Lookup
from django.db.models.sql.datastructures import BaseTable
from django.db.models.sql.query import Query
from django.db.models.sql.where import WhereNode

ENABLED = os.environ.get("SERVITIUM_DB_COMPILE_CACHE", "1").lower() not in ("0", "false", "no", "off")
LIMIT = 2000  # statements kept per process (a key holds its values: ids read one by one come and go)

_PLAIN = (str, int, float, bool, dt.datetime, dt.date, dt.time, decimal.Decimal, uuid.UUID, type(None))
_KEPT: dict[tuple, tuple] = {}
_LOCK = threading.Lock()


class _Unkeyable(Exception):
    pass


def query_key(query: Query, compiler: Any, with_limits: bool, with_col_aliases: bool) -> tuple | None:
    """Everything the compiler's SQL for `query` depends on, or None when the query is not plain."""
    if (
        type(query) is not Query
        or not query.default_cols
        or query.select
        or query.values_select
        or query.extra
        or query.extra_order_by
        or query.select_related
        or query.deferred_loading != (frozenset(), True)
        or query.group_by is not None
        or query.distinct
        or query.distinct_fields
        or query.select_for_update
        or query.combinator
        or query.annotation_select_mask is not None
        or query.extra_select_mask is not None
        or len(query.alias_map) != 1
    ):
        return None
    ((alias, table),) = query.alias_map.items()
    if (
        type(table) is not BaseTable
        or table.table_alias != alias
        or table.table_name != query.model._meta.db_table
    ):
        return None
    if not all(type(item) is str for item in query.order_by):
        return None
    try:
        annotations = []
        for name, annotation in query.annotations.items():
            if type(annotation) is not RawSQL:
                return None
            annotations.append((name, annotation.sql, _values(annotation.params)))
        where = _node(query.where, alias)
    except _Unkeyable:
        return None
    return (
        compiler.connection.alias,
        compiler.elide_empty,
        query.model,
        alias,
        query.alias_refcount.get(alias),
        where,
        tuple(annotations),
        tuple(query.order_by),
        query.default_ordering,
        query.standard_ordering,
        query.low_mark,
        query.high_mark,
        query.subquery,
        with_limits,
        with_col_aliases,
    )


def _node(node: Any, alias: str) -> tuple:
    if type(node) is WhereNode:
        return ("node", node.connector, node.negated, tuple(_node(child, alias) for child in node.children))
    if isinstance(node, Lookup) and type(node.lhs) is Col and node.lhs.alias == alias:
        if hasattr(node.rhs, "resolve_expression") or not node.rhs_is_direct_value():
            raise _Unkeyable
        return ("lookup", type(node), node.lhs.target, node.lhs.output_field, _values(node.rhs))
    raise _Unkeyable


def _values(value: Any) -> Any:
    """A plain value (or a list, tuple or set of them) with its type: 1, 1.0, True and Decimal(1) are
    equal in Python but not in SQL parameters."""
    if isinstance(value, list | tuple | set | frozenset):
        items = tuple(_values(item) for item in value)
        return (type(value), tuple(sorted(items, key=repr)) if isinstance(value, set | frozenset) else items)
    if type(value) not in _PLAIN and not isinstance(value, enum.Enum):  # choices are enum members
        raise _Unkeyable
    return (type(value), value)


# What `as_sql` leaves on the compiler besides the SQL, which reading the records needs (the select list
# the records are built from, its columns' converters, the annotations' positions).
_STATE = (
    "select",
    "klass_info",
    "annotation_col_map",
    "col_count",
    "has_extra_select",
    "where",
    "having",
    "qualify",
    "_meta_ordering",
)
_read_state = operator.attrgetter(*_STATE)


class KeptSelects:
    """A SQLCompiler mixin: `as_sql` of a plain query from the kept statements (see the module)."""

    def as_sql(self, with_limits: bool = True, with_col_aliases: bool = False):  # type: ignore[override]
        key = query_key(self.query, self, with_limits, with_col_aliases) if ENABLED else None
        if key is None:
            return super().as_sql(with_limits, with_col_aliases)
        found = _KEPT.get(key)
        if found is not None:
            sql, params, state = found
            for name, value in zip(_STATE, state, strict=True):
                setattr(self, name, value)
            return sql, params
        sql, params = super().as_sql(with_limits, with_col_aliases)
        with _LOCK:
            if len(_KEPT) >= LIMIT:
                _KEPT.clear()
            _KEPT[key] = (sql, tuple(params), _read_state(self))
        return sql, params
