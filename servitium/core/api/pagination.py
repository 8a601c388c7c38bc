from __future__ import annotations

import json
from functools import cached_property
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.query import ModelIterable
from rest_framework import pagination
from rest_framework.response import Response

from .. import keptcounts
from .fields import query_int


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=` and `?page_size=` (up to 1000), answering {count, next, previous, results}. A page or page
    size that is not a whole number in range is a 400 naming the parameter (DRF would quietly use the default
    size, or answer 404 to `page=abc`); a page beyond the last is a 404, as in DRF."""

    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_size(self, request) -> int:
        return query_int(request, self.page_size_query_param, self.page_size, 1, self.max_page_size)

    def get_page_number(self, request, paginator):
        value = request.query_params.get(self.page_query_param)
        if value in self.last_page_strings:
            return paginator.num_pages
        return query_int(request, self.page_query_param, 1, 1, None)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters


class CappedCountPaginator(Paginator):
    """Counts exactly up to `cap` rows; beyond that (PostgreSQL) takes the planner's estimate, because an
    exact count of a few hundred thousand matching rows costs more than the page itself.

    A page of records is read with its count in one statement (the capped count as a subquery the
    database runs once): one round trip and one snapshot, so the count and the page always agree. A page
    past the end, or a list nothing matches, is answered as Django's Paginator answers it."""

    cap = 10_000
    estimated = False
    kept = False  # counted from the kept counts: exact beyond the cap too

    @cached_property
    def count(self) -> int:
        capped = self._capped_count_sql()
        if capped is None:  # a filter no record can meet (`id__in=[]`)
            return 0
        sql, params = capped
        with connections[self.object_list.db].cursor() as cursor:
            cursor.execute(sql, params)
            return self._settle(cursor.fetchone()[0])

    def page(self, number):
        queryset = self.object_list
        if isinstance(number, str) and number.isdecimal():  # a page number from a query string
            number = int(number)
        if (
            type(number) is not int
            or number < 1  # Django's own checks answer whatever is not a page number
            or (number - 1) * self.per_page > self.cap  # deep pages: counted first, as Django does
            or "count" in self.__dict__
            or not _mergeable(queryset)
            or self.orphans
        ):
            return super().page(number)
        capped = self._capped_count_sql()
        if capped is None:
            return super().page(number)
        sql, params = capped
        bottom = (number - 1) * self.per_page
        counted = queryset.annotate(**{_TOTAL: RawSQL(f"({sql})", params)})  # noqa: S611 - the ORM's SQL
        records = list(counted[bottom : bottom + self.per_page])
        if not records:  # past the last page (or nothing at all): Django's own answer and errors
            return super().page(number)
        self.__dict__["count"] = self._settle(getattr(records[0], _TOTAL))
        for record in records:
            del record.__dict__[_TOTAL]
        return self._get_page(records, number, self)

    def _capped_count_sql(self) -> tuple[str, tuple] | None:
        """`SELECT COUNT(*)` over the ORM's id query capped at `cap + 1` rows, written out: QuerySet.count()
        would rebuild the query as an aggregation first, which costs a page of tickets more than the
        count itself. None when the filter can match nothing."""
        kept = keptcounts.count_sql(self.object_list)
        if kept is not None:  # exact whatever the number, from a few rows (core/keptcounts.py)
            self.kept = True
            return kept
        queryset = self.object_list.order_by().values("pk")
        try:
            sql, params = queryset[: self.cap + 1].query.sql_with_params()
        except EmptyResultSet:
            return None
        return f"SELECT COUNT(*) FROM ({sql}) counted", tuple(params)  # noqa: S608 - the ORM's SQL

    def _settle(self, exact: int) -> int:
        """The count to answer from the capped count: exact up to the cap, else the planner's estimate
        (on SQLite the full count)."""
        if exact <= self.cap or self.kept:
            return exact
        queryset = self.object_list.order_by().values("pk")
        connection = connections[queryset.db]
        if connection.vendor != "postgresql":
            return queryset.count()
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        self.estimated = True
        return max(int(plan[0]["Plan"]["Plan Rows"]), exact)


_TOTAL = "capped_total_"


def _mergeable(queryset: Any) -> bool:
    """Records read the ordinary way from a plain query (no grouping, union or values), where one more
    column in the select list changes nothing else."""
    query = getattr(queryset, "query", None)
    return (
        isinstance(queryset, QuerySet)
        and queryset._iterable_class is ModelIterable
        and query.group_by is None
        and not query.combinator
        and not query.is_sliced
        and _TOTAL not in query.annotations
    )


class LargeTablePagination(PageNumberPagination):
    """For tables that grow to millions of rows (incidents): exact counts up to 10,000 matching records,
    an estimate beyond, flagged with `"count_is_estimate": true`."""

    django_paginator_class = CappedCountPaginator

    def get_paginated_response(self, data) -> Response:
        response = super().get_paginated_response(data)
        if self.page.paginator.estimated:
            response.data["count_is_estimate"] = True
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_is_estimate"] = {
            "type": "boolean",
            "description": "Present and true when more than 10,000 records match and count is estimated.",
        }
        return schema
