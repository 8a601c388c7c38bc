from __future__ import annotations

import json
from functools import cached_property

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from rest_framework import pagination
from rest_framework.response import Response

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
    exact count of a few hundred thousand matching rows costs more than the page itself."""

    cap = 10_000
    estimated = False

    @cached_property
    def count(self) -> int:
        queryset = self.object_list.order_by().values("pk")
        connection = connections[queryset.db]
        # COUNT over the capped id query, written out: QuerySet.count() would rebuild the query as an
        # aggregation first, which costs a page of tickets more than the count itself.
        try:
            sql, params = queryset[: self.cap + 1].query.sql_with_params()
        except EmptyResultSet:  # a filter no record can meet (`id__in=[]`)
            return 0
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) counted", params)  # noqa: S608 - the ORM's SQL
            exact = cursor.fetchone()[0]
        if exact <= self.cap:
            return exact
        if connection.vendor != "postgresql":
            return queryset.count()
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        self.estimated = True
        return max(int(plan[0]["Plan"]["Plan Rows"]), exact)


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
