"""One FilterSet per record type, made from its declaration and shared by the API's and the UI's lists.

The same query parameters work in both: each declared filter by its field name (`?status=live`,
`?customers=3`), `?search=` over the declared search fields (every word must match one of them), and
`?ordering=name,-created` over the declared orderings. Related choices are only records the user may
see (a customer cannot even name another organization in a filter); a bad value is a 400 naming the
parameter, never an empty page that hides the mistake. Values the database cannot even take (a number
beyond its integer range for an id or a whole-number field, a NUL character) are refused by name before
any query runs (`CheckedFilterSet`), on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

import copy
import operator
from functools import reduce
from typing import Any

import django_filters
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_filters.filters import QuerySetRequestMixin
from django_filters.rest_framework import DjangoFilterBackend

from . import permissions
from .declaration import Resource
from .forms import UtcTimes
from .nul import nul_message

ALWAYS_ORDERABLE = ("id", "created", "updated")


class CheckedFilterSet(django_filters.FilterSet):
    """A FilterSet that refuses, naming the parameter, what no database query can take: a whole number
    outside the column's range (an id of 10^30 would raise OverflowError on SQLite) and a NUL character
    (PostgreSQL refuses it in any text). The other values are left to the filters' own fields; times are
    taken in UTC (core.forms.UtcTimes)."""

    def get_form_class(self):
        return type(f"{type(self).__name__}Form", (UtcTimes, super().get_form_class()), {})

    @property
    def form(self):
        if not hasattr(self, "_form"):
            refused = self.refused() if self.is_bound else {}
            data = self.data
            if refused:
                data = data.copy()
                for name in refused:
                    data.pop(f"{self.form_prefix}-{name}" if self.form_prefix else name, None)
            form_class, prefix = self.get_form_class(), self.form_prefix
            self._form = form_class(data, prefix=prefix) if self.is_bound else form_class(prefix=prefix)
            if refused:
                self._form.full_clean()
                for name, message in refused.items():
                    self._form.add_error(name, message)
        return self._form

    def refused(self) -> dict[str, str]:
        """Parameter name -> why its value cannot be used."""
        problems: dict[str, str] = {}
        for name, item in self.filters.items():
            key = f"{self.form_prefix}-{name}" if self.form_prefix else name
            if key not in self.data:
                continue
            raw = self.data.getlist(key) if hasattr(self.data, "getlist") else [self.data.get(key)]
            values = [v for v in raw if isinstance(v, str)]
            if any("\x00" in v for v in values):
                problems[name] = nul_message(name)
                continue
            bounds = integer_bounds(self._meta.model, item)
            if bounds is None:
                continue
            low, high = bounds
            split = isinstance(item, django_filters.filters.BaseCSVFilter)
            for value in values:
                for part in value.split(",") if split else [value]:
                    try:
                        number = int(part.strip())
                    except ValueError:
                        continue  # not a whole number at all: the field says so in its own words
                    if not low <= number <= high:
                        problems[name] = gettext("Use a whole number from %(low)s to %(high)s.") % {
                            "low": low,
                            "high": high,
                        }
        return problems


def integer_bounds(model: type[models.Model] | None, item: django_filters.Filter) -> tuple[int, int] | None:
    """The range the database takes for a filter on ids or whole numbers; None for other filters."""
    field: models.Field | None = None
    if isinstance(item, django_filters.ModelChoiceFilter | django_filters.ModelMultipleChoiceFilter):
        choices = item.queryset
        related = getattr(choices, "model", None)
        if related is None and model is not None:
            related = getattr(_path_field(model, item.field_name), "related_model", None)
        if related is not None:
            to_field = item.extra.get("to_field_name")
            field = related._meta.get_field(to_field) if to_field else related._meta.pk
    elif isinstance(item, django_filters.NumberFilter) and model is not None:
        field = _path_field(model, item.field_name)
    return database_range(field) if field is not None else None


def database_range(field: models.Field) -> tuple[int, int] | None:
    """The whole numbers the database stores in an integer column (None for other columns)."""
    kind = field.get_internal_type()
    if not kind.endswith(("IntegerField", "AutoField")):
        return None
    return connection.ops.integer_field_range(kind)


def record_id(raw: Any) -> int | None:
    """`raw` (a query or form value) as an id a record can have: a whole number from 1 to the largest
    64-bit id; None for anything else ("²" passes str.isdigit() but is no number, 10^30 no id)."""
    try:
        number = int(str(raw).strip())
    except ValueError:
        return None
    return number if 1 <= number <= 2**63 - 1 else None


def _path_field(model: type[models.Model], path: str) -> models.Field | None:
    field = None
    for part in path.split("__"):
        if model is None:
            return None
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        model = field.related_model
    return field


class GivenFiltersBackend(DjangoFilterBackend):
    """The API's filter backend: a declared record type's FilterSet with only the filters the request
    names (see RecordFilterSet)."""

    def get_filterset_kwargs(self, request, queryset, view) -> dict[str, Any]:
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        if issubclass(self.get_filterset_class(view, queryset) or object, RecordFilterSet):
            kwargs["only_given"] = True
        return kwargs


class RecordFilterSet(CheckedFilterSet):
    """Related choices restricted through the one permission path; search and default ordering from
    the declaration (`resource`)."""

    resource: type[Resource]

    def __init__(
        self, data=None, queryset=None, *, request=None, prefix=None, only_given: bool = False
    ) -> None:
        if only_given and data is not None and not prefix:
            # A list asked for by a program (the API) needs only the filters it names: copying every
            # filter and building a form field for each cost more than the query (a page shows them all).
            # What django-filter's __init__ does, for those filters only.
            given = set(data)
            self.is_bound, self.data, self.request, self.form_prefix = True, data, request, prefix
            self.queryset = queryset if queryset is not None else self._meta.model._default_manager.all()
            self.filters = {
                name: _request_copy(item)
                for name, item in self.base_filters.items()
                if name in given or any(key.startswith(f"{name}_") for key in given)
            }
            for item in self.filters.values():
                item.model, item.parent = self.queryset.model, self
        else:
            super().__init__(data=data, queryset=queryset, request=request, prefix=prefix)
        user = getattr(request, "user", None)
        for item in self.filters.values():
            choices = getattr(item, "queryset", None)
            if isinstance(choices, models.QuerySet):
                item.queryset = permissions.restrict(choices, user)

    def get_form_class(self):
        # The form class of a given set of filters is the same for every request unless a filter's
        # choices are records (restricted to what this user may see): made once per set, then kept.
        if any(isinstance(item, QuerySetRequestMixin) for item in self.filters.values()):
            return super().get_form_class()
        key = (type(self), tuple(self.filters))
        found = _FORM_CLASSES.get(key)
        if found is None:
            if len(_FORM_CLASSES) > 2000:  # parameter sets a program makes up
                _FORM_CLASSES.clear()
            found = _FORM_CLASSES[key] = super().get_form_class()
        return found

    def filter_search(self, queryset, name: str, value: str):
        fields = self.resource.search
        for term in value.replace(",", " ").split():
            clauses = [models.Q(**{f"{field}__icontains": term}) for field in fields]
            queryset = queryset.filter(reduce(operator.or_, clauses))
        if any(_spans_many(self.resource.model, field) for field in fields):
            queryset = queryset.distinct()
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        asked = [name for name in self.form.cleaned_data.get("ordering") or () if name]
        if not asked or not queryset.ordered:  # `?ordering=,` asks for nothing
            if self.resource.ordering:
                queryset = queryset.order_by(*self.resource.ordering, "pk")
            elif not queryset.ordered:  # pages of an unordered list could repeat or skip records
                queryset = queryset.order_by("pk")
        return queryset


_FORM_CLASSES: dict[tuple, type] = {}


def _request_copy(item: django_filters.Filter) -> django_filters.Filter:
    """A filter of the class's for one request, as django-filter's deepcopy would make it but without
    copying choices, labels and lookups nobody changes: its own `extra` (a model choice filter puts the
    request's queryset in it), no form field built yet, its method bound to the copy."""
    new = copy.copy(item)
    new.extra = dict(item.extra)
    new.__dict__.pop("_field", None)
    if getattr(item, "_method", None) is not None:
        new.method = item.method
    return new


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
