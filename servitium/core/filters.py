"""One FilterSet per record type, made from its declaration and shared by the API's and the UI's lists.

The same query parameters work in both: each declared filter by its field name (`?status=live`,
`?customers=3`), `?search=` over the declared search fields (every word must match one of them), and
`?ordering=name,-created` over the declared orderings. Related choices are only records the user may
see (a customer cannot even name another organization in a filter); a bad value is a 400 naming the
parameter, never an empty page that hides the mistake.
"""

from __future__ import annotations

import copy
import operator
from functools import reduce
from typing import Any

import django_filters
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import permissions
from .declaration import Resource

ALWAYS_ORDERABLE = ("id", "created", "updated")


class RecordFilterSet(django_filters.FilterSet):
    """Related choices restricted through the one permission path; search and default ordering from
    the declaration (`resource`)."""

    resource: type[Resource]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None) -> None:
        super().__init__(data=data, queryset=queryset, request=request, prefix=prefix)
        user = getattr(request, "user", None)
        for item in self.filters.values():
            choices = getattr(item, "queryset", None)
            if isinstance(choices, models.QuerySet):
                item.queryset = permissions.restrict(choices, user)

    def filter_search(self, queryset, name: str, value: str):
        fields = self.resource.search
        for term in value.replace(",", " ").split():
            term = term.replace("\x00", "")
            clauses = [models.Q(**{f"{field}__icontains": term}) for field in fields]
            queryset = queryset.filter(reduce(operator.or_, clauses))
        if any(_spans_many(self.resource.model, field) for field in fields):
            queryset = queryset.distinct()
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("ordering") and self.resource.ordering:
            queryset = queryset.order_by(*self.resource.ordering, "pk")
        return queryset


def _spans_many(model: type[models.Model], path: str) -> bool:
    for part in path.split("__"):
        try:
            field = model._meta.get_field(part)
        except Exception:  # noqa: BLE001
            return False
        if field.many_to_many or field.one_to_many:
            return True
        if not field.is_relation:
            return False
        model = field.related_model
    return False


_FILTERSETS: dict[type[Resource], type[RecordFilterSet]] = {}


def filterset_for(resource: type[Resource]) -> type[RecordFilterSet]:
    """The FilterSet of a declared record type (built once)."""
    found = _FILTERSETS.get(resource)
    if found is not None:
        return found
    names = resource.filters
    meta = type(
        "Meta",
        (),
        {"model": resource.model, "fields": dict(names) if isinstance(names, dict) else list(names)},
    )
    attrs: dict[str, Any] = {"Meta": meta, "resource": resource}
    attrs.update({name: copy.deepcopy(item) for name, item in resource.extra_filters.items()})
    if resource.search:
        attrs["search"] = django_filters.CharFilter(
            method="filter_search",
            label=_("Search"),
            help_text=_("Words to find in: %(fields)s") % {"fields": ", ".join(resource.search)},
        )
    orderable = [*resource.orderings, *(n for n in ALWAYS_ORDERABLE if n not in resource.orderings)]
    orderable = [n for n in orderable if resource.model_field(n.split("__")[0]) is not None]
    attrs["ordering"] = django_filters.OrderingFilter(
        fields=[(n, n) for n in orderable],
        label=_("Order by"),
        help_text=_("Field names, comma-separated; a leading minus sorts descending."),
    )
    found = _FILTERSETS[resource] = type(f"{resource.model.__name__}FilterSet", (RecordFilterSet,), attrs)
    return found
