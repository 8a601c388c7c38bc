from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from servitium.core import permissions

from ..filters import database_range


def query_date(request, name: str):
    """`?name=YYYY-MM-DD` as a date (None when absent); a malformed value is a 400 naming the parameter."""
    import datetime as dt

    value = request.query_params.get(name)
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise serializers.ValidationError({name: ["Use a date as YYYY-MM-DD."]}) from None


def query_int(request, name: str, default: int, low: int, high: int | None) -> int:
    """`?name=N` as a whole number from `low` to `high` (no upper limit if None; `default` when absent);
    anything else is a 400 naming the parameter and the range."""
    value = request.query_params.get(name)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        number = low - 1
    if number < low or (high is not None and number > high):
        if high is None:
            message = _("Use a whole number from %(low)s up.") % {"low": low}
        else:
            message = _("Use a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
        raise serializers.ValidationError({name: [message]})
    return number


def whole_number(value: Any) -> int | None:
    """`value` as a whole number if it is one (an int, an integral float, digits), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


class BoundedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related record written by id; an id beyond what the database can hold is "no such record" (a 400
    naming the field), never an OverflowError (SQLite) or an out-of-range error (PostgreSQL)."""

    def to_internal_value(self, data):
        number = whole_number(data)
        queryset = self.get_queryset()
        bounds = database_range(queryset.model._meta.pk) if queryset is not None else None
        if number is not None and bounds is not None and not bounds[0] <= number <= bounds[1]:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


def id_field(**kwargs: Any) -> serializers.IntegerField:
    """An input that names a record by id: a whole number a database id can be."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


MAX_ID = 2**63 - 1  # the largest id of a 64-bit primary key, on SQLite and PostgreSQL alike


class RestrictedPrimaryKeyRelatedField(BoundedPrimaryKeyRelatedField):
    """A related record written by id: only records the requesting user may see are accepted."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request") if hasattr(self, "context") else None
        if request is None:
            return queryset
        return permissions.restrict(queryset, request.user, permissions.VIEW)


class ObjectTypeField(serializers.CharField):
    """`app_label.model` of a record, e.g. `catalog.service`."""
