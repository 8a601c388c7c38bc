from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from servitium.core import permissions


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


class RestrictedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related record written by id: only records the requesting user may see are accepted."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request") if hasattr(self, "context") else None
        if request is None:
            return queryset
        return permissions.restrict(queryset, request.user, permissions.VIEW)


class ObjectTypeField(serializers.CharField):
    """`app_label.model` of a record, e.g. `catalog.service`."""
